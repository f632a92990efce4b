import { describe, expect, test } from 'vitest';
import type { DriftColumn, DriftMethod, SideSummary } from './backend';
import {
  DEFAULT_DRIFT_SORT,
  SPARK_CATEGORIES,
  ariaSort,
  categoryList,
  checkDriftForm,
  driftShareText,
  driftStrength,
  effectText,
  exportFileName,
  formatPValue,
  formatShare,
  isDataFile,
  methodOptionLabel,
  nextDriftSort,
  parseColumns,
  placeFiles,
  progressFraction,
  progressLabel,
  ruleText,
  schemaChanged,
  scoreParts,
  shareText,
  sortDriftColumns,
  sparkline,
  summaryRows,
  swapFiles,
  thresholdPlaceholder,
  untestedColumns,
  verdictTitle,
  type DriftForm,
  type DriftSort,
} from './drift';

/** A side summary with only the given statistics (the engine sends null for the others). */
const side = (fields: Partial<SideSummary>): SideSummary => ({
  count: 0,
  missing: 0,
  distinct: null,
  mean: null,
  std: null,
  min: null,
  max: null,
  median: null,
  ...fields,
});
const SIDE: SideSummary = side({ count: 800, missing: 0 });

function column(name: string, fields: Partial<DriftColumn> = {}): DriftColumn {
  return {
    column: name,
    kind: 'numerical',
    kind_source: 'inferred',
    testable: true,
    not_testable_reason: null,
    method: 'ks',
    method_label: 'K-S p-value',
    reason: 'numerical, reference of 800 rows (at most 1000)',
    statistic: 0.1,
    p_value: 0.5,
    score: 0.5,
    threshold: 0.05,
    rule: 'p_value_below',
    drifted: false,
    approximate: false,
    effect_size: null,
    reference: SIDE,
    current: SIDE,
    categories: null,
    histogram: null,
    bars: null,
    ...fields,
  };
}

const effect = (value: number, magnitude: 'negligible' | 'small' | 'medium' | 'large' = 'small') => ({
  name: 'cohens_d',
  label: "Cohen's d",
  value,
  magnitude,
});

const METHODS: DriftMethod[] = [
  { name: 'ks', label: 'K-S p-value', kinds: ['numerical'], has_p_value: true, default_threshold: 0.05 },
  { name: 'wasserstein', label: 'Wasserstein distance (normed)', kinds: ['numerical'], has_p_value: false, default_threshold: 0.1 },
];

describe('files', () => {
  test.each([
    ['/d/ref.csv', true],
    ['/d/REF.CSV', true],
    ['C:\\data\\cur.parquet', true],
    ['a.pq', true],
    ['a.feather', true],
    ['a.jsonl', true],
    ['a.json', false],
    ['a.csv.gz', false],
    ['/d/folder', false],
    ['/d/.csv', false],
  ])('isDataFile(%j) is %j', (path, expected) => {
    expect(isDataFile(path)).toBe(expected);
  });

  const empty = { reference: null, current: null };
  test.each([
    ['two at once: in the order dropped', empty, ['/a.csv', '/b.csv'], null, { reference: '/a.csv', current: '/b.csv' }, 0],
    ['two on a slot: still in order', { reference: '/x.csv', current: null }, ['/a.csv', '/b.csv'], 'current', { reference: '/a.csv', current: '/b.csv' }, 0],
    ['three: the third left out', empty, ['/a.csv', '/b.csv', '/c.csv'], null, { reference: '/a.csv', current: '/b.csv' }, 1],
    ['one: the reference first', empty, ['/a.csv'], null, { reference: '/a.csv', current: null }, 0],
    ['one more: the current', { reference: '/a.csv', current: null }, ['/b.csv'], null, { reference: '/a.csv', current: '/b.csv' }, 0],
    ['one when both are set: a new current', { reference: '/a.csv', current: '/b.csv' }, ['/c.csv'], null, { reference: '/a.csv', current: '/c.csv' }, 0],
    ['one on the reference slot', { reference: '/a.csv', current: '/b.csv' }, ['/c.csv'], 'reference', { reference: '/c.csv', current: '/b.csv' }, 0],
    ['one on the empty current slot', empty, ['/c.csv'], 'current', { reference: null, current: '/c.csv' }, 0],
    ['nothing', { reference: '/a.csv', current: null }, [], null, { reference: '/a.csv', current: null }, 0],
  ] as const)('placeFiles: %s', (_name, pair, paths, slot, expected, ignored) => {
    expect(placeFiles(pair, paths, slot)).toEqual({ pair: expected, ignored });
  });

  test('swapFiles', () => {
    expect(swapFiles({ reference: '/a.csv', current: null })).toEqual({ reference: null, current: '/a.csv' });
  });
});

describe('the options form', () => {
  const form = (fields: Partial<DriftForm> = {}): DriftForm => ({
    reference: '/d/ref.csv',
    current: '/d/cur.parquet',
    columnsText: '',
    method: '',
    thresholdText: '',
    driftShareText: '0.5',
    ...fields,
  });

  test('defaults make a request with nulls for the engine to fill', () => {
    expect(checkDriftForm(form(), METHODS)).toEqual({
      request: { reference: '/d/ref.csv', current: '/d/cur.parquet', columns: null, method: null, threshold: null, drift_share: 0.5 },
      errors: {},
    });
  });

  test('every option set', () => {
    const check = checkDriftForm(
      form({ columnsText: ' age, income ,,age\nsex ', method: 'wasserstein', thresholdText: '0.2', driftShareText: '.3' }),
      METHODS,
    );
    expect(check.request).toEqual({
      reference: '/d/ref.csv',
      current: '/d/cur.parquet',
      columns: ['age', 'income', 'sex'],
      method: 'wasserstein',
      threshold: 0.2,
      drift_share: 0.3,
    });
  });

  test('a missing file makes no request and no error', () => {
    expect(checkDriftForm(form({ current: null }), METHODS)).toEqual({ request: null, errors: {} });
  });

  test.each([
    [{ reference: '/d/notes.txt' }, 'reference', 'notes.txt is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)'],
    [{ current: '/d/images' }, 'current', 'images is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)'],
    [{ thresholdText: 'abc' }, 'threshold', 'The threshold is a positive number'],
    [{ thresholdText: '0' }, 'threshold', 'The threshold is a positive number'],
    [{ thresholdText: '-1' }, 'threshold', 'The threshold is a positive number'],
    [{ method: 'ks', thresholdText: '1.5' }, 'threshold', 'K-S p-value compares a p-value: the threshold is below 1'],
    [{ driftShareText: '0' }, 'driftShare', 'The drift share is a fraction of the columns, above 0 and at most 1 (0.5 = half)'],
    [{ driftShareText: '1.2' }, 'driftShare', 'The drift share is a fraction of the columns, above 0 and at most 1 (0.5 = half)'],
    [{ driftShareText: '50%' }, 'driftShare', 'The drift share is a fraction of the columns, above 0 and at most 1 (0.5 = half)'],
    [{ method: 'nope' }, 'method', 'unknown method nope'],
  ] as const)('%j: %s is wrong', (fields, field, message) => {
    const check = checkDriftForm(form(fields), METHODS);
    expect(check.request).toBeNull();
    expect(check.errors).toEqual({ [field]: message });
  });

  test('a distance threshold may be 1 or more; an empty drift share is the default', () => {
    const check = checkDriftForm(form({ method: 'wasserstein', thresholdText: '1.5', driftShareText: ' ' }), METHODS);
    expect(check.errors).toEqual({});
    expect(check.request).toMatchObject({ threshold: 1.5, drift_share: null });
  });

  test('a method is not refused before the list of methods arrived', () => {
    expect(checkDriftForm(form({ method: 'psi' }), null).request).toMatchObject({ method: 'psi' });
  });

  test('parseColumns', () => {
    expect(parseColumns('')).toEqual([]);
    expect(parseColumns('a,b\n c , a')).toEqual(['a', 'b', 'c']);
  });

  test('method labels and threshold placeholders', () => {
    expect(methodOptionLabel(METHODS[0])).toBe('K-S p-value (numerical)');
    expect(methodOptionLabel({ ...METHODS[0], kinds: ['categorical', 'boolean'] })).toBe('K-S p-value (categorical, boolean)');
    expect(thresholdPlaceholder(null)).toBe('method default');
    expect(thresholdPlaceholder(METHODS[1])).toBe('default 0.1');
  });
});

describe('progress', () => {
  test.each([
    [null, 'Starting…', null],
    [{ phase: 'reading', done: 0, total: 0, message: '' }, 'Reading files', null],
    [{ phase: 'profiling', done: 3, total: 20, message: '' }, 'Profiling columns 3/20', 0.15],
    [{ phase: 'testing', done: 1500, total: 1000, message: '' }, 'Testing columns 1,500/1,000', 1],
    [{ phase: 'done', done: 20, total: 20, message: '' }, 'Done 20/20', 1],
  ] as const)('%j', (progress, label, fraction) => {
    expect(progressLabel(progress)).toBe(label);
    expect(progressFraction(progress)).toBe(fraction);
  });
});

describe('the verdict', () => {
  test('title and share', () => {
    expect(verdictTitle({ dataset_drift: true })).toBe('Dataset drift detected');
    expect(verdictTitle({ dataset_drift: false })).toBe('No dataset drift');
    expect(shareText({ drifted_columns: 3, tested_columns: 20 })).toBe('3 of 20 columns drifted (15%)');
    expect(shareText({ drifted_columns: 0, tested_columns: 1 })).toBe('0 of 1 column drifted (0%)');
    expect(shareText({ drifted_columns: 0, tested_columns: 0 })).toBe('0 of 0 columns drifted');
    expect(driftShareText({ drift_share: 0.5 })).toBe('dataset drift at 50% or more');
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(1)).toBe('100%');
  });

  test('schemaChanged', () => {
    expect(schemaChanged({ added: [], removed: [], type_changed: [] })).toBe(false);
    expect(schemaChanged({ added: ['x'], removed: [], type_changed: [] })).toBe(true);
    expect(schemaChanged({ added: [], removed: [], type_changed: [{ column: 'a', reference: 'i64', current: 'f64' }] })).toBe(true);
  });
});

describe('numbers', () => {
  test.each([
    [null, ''],
    [0, '0'],
    [0.6274825620995537, '0.6275'],
    [1.526894519320555e-5, '1.527e-5'],
    [2.1181918111251515e-24, '2.118e-24'],
    [1, '1'],
  ])('formatPValue(%j) is %j', (p, text) => {
    expect(formatPValue(p)).toBe(text);
  });

  test.each([
    ['p-value, drifted', { score: 1.5e-5, threshold: 0.05, rule: 'p_value_below', drifted: true }, { score: '1.5e-5', comparison: '<', threshold: '0.05', name: 'p' }],
    ['p-value, not drifted', { score: 0.63, threshold: 0.05, rule: 'p_value_below', drifted: false }, { score: '0.63', comparison: '≥', threshold: '0.05', name: 'p' }],
    ['distance, drifted', { score: 0.23, threshold: 0.1, rule: 'distance_at_least', drifted: true }, { score: '0.23', comparison: '≥', threshold: '0.1', name: 'distance' }],
    ['distance, not drifted', { score: 0.04, threshold: 0.1, rule: 'distance_at_least', drifted: false }, { score: '0.04', comparison: '<', threshold: '0.1', name: 'distance' }],
    ['infinite distance', { score: 'Infinity', threshold: 0.1, rule: 'distance_at_least', drifted: true }, { score: '∞', comparison: '≥', threshold: '0.1', name: 'distance' }],
    ['no score', { score: null, threshold: 0.1, rule: 'distance_at_least', drifted: false }, null],
    ['no rule', { score: 0.1, threshold: null, rule: null, drifted: false }, null],
  ] as const)('scoreParts: %s', (_name, fields, expected) => {
    expect(scoreParts(fields)).toEqual(expected);
  });

  test('ruleText', () => {
    expect(ruleText('p_value_below', 0.05)).toBe('drift when the p-value is below 0.05');
    expect(ruleText('distance_at_least', 0.1)).toBe('drift when the distance is at least 0.1');
    expect(ruleText(null, null)).toBe('');
  });

  test('effectText', () => {
    expect(effectText(effect(0.4213, 'medium'))).toBe("Cohen's d 0.4213 (medium)");
    expect(effectText(null)).toBe('');
  });

  test.each([
    ['p at the threshold', { score: 0.05, threshold: 0.05, rule: 'p_value_below' }, 1],
    ['p a hundredth of a 0.1 threshold', { score: 0.001, threshold: 0.1, rule: 'p_value_below' }, 3],
    ['p of 1', { score: 1, threshold: 0.05, rule: 'p_value_below' }, 0],
    ['p of 0', { score: 0, threshold: 0.05, rule: 'p_value_below' }, Infinity],
    ['distance twice the threshold', { score: 0.2, threshold: 0.1, rule: 'distance_at_least' }, 2],
    ['infinite distance', { score: 'Infinity', threshold: 0.1, rule: 'distance_at_least' }, Infinity],
    ['NaN', { score: 'NaN', threshold: 0.1, rule: 'distance_at_least' }, null],
    ['no threshold', { score: 0.2, threshold: null, rule: 'distance_at_least' }, null],
  ] as const)('driftStrength: %s', (_name, fields, expected) => {
    const strength = driftStrength(fields);
    if (expected === null || expected === Infinity) expect(strength).toBe(expected);
    else expect(strength).toBeCloseTo(expected, 12);
  });
});

describe('order', () => {
  const columns = [
    column('num_2', { drifted: false, effect_size: effect(0.9) }),
    column('num_10', { drifted: true, effect_size: effect(0.2), score: 1e-3 }),
    column('cat_b', { drifted: true, effect_size: effect(-0.8, 'large'), score: 1e-5 }),
    column('cat_a', { drifted: true, effect_size: null, score: 1e-9 }),
    column('label', { drifted: true, effect_size: effect(0.2), score: 1e-8 }),
    column('ts', { testable: false, not_testable_reason: 'datetime columns are not tested', method: null, score: null }),
    column('bool_x', { drifted: false, effect_size: null, score: 0.9 }),
  ];
  const names = (cs: DriftColumn[]) => cs.map((c) => c.column);
  /** The column names in the order `sort` puts them in. */
  const sorted = (sort: DriftSort) => names(sortDriftColumns(columns, sort));

  test('by drift: drifted first, then |effect| descending (missing last), then past the threshold, then by name', () => {
    expect(sorted(DEFAULT_DRIFT_SORT)).toEqual(['cat_b', 'label', 'num_10', 'cat_a', 'num_2', 'bool_x']);
  });

  test('ascending drift is the exact reverse; untestable columns are never in the table', () => {
    expect(sorted({ key: 'drift', direction: 'asc' })).toEqual(['bool_x', 'num_2', 'cat_a', 'num_10', 'label', 'cat_b']);
  });

  test('by name, as people read names', () => {
    expect(sorted({ key: 'column', direction: 'asc' })).toEqual(['bool_x', 'cat_a', 'cat_b', 'label', 'num_2', 'num_10']);
    expect(sorted({ key: 'column', direction: 'desc' })[0]).toBe('num_10');
  });

  test('sorting does not touch its input', () => {
    const copy = [...columns];
    sortDriftColumns(columns, DEFAULT_DRIFT_SORT);
    expect(columns).toEqual(copy);
  });

  test('nextDriftSort and ariaSort', () => {
    expect(nextDriftSort(DEFAULT_DRIFT_SORT, 'drift')).toEqual({ key: 'drift', direction: 'asc' });
    expect(nextDriftSort(DEFAULT_DRIFT_SORT, 'column')).toEqual({ key: 'column', direction: 'asc' });
    expect(nextDriftSort({ key: 'column', direction: 'asc' }, 'drift')).toEqual(DEFAULT_DRIFT_SORT);
    expect(nextDriftSort({ key: 'column', direction: 'asc' }, 'column')).toEqual({ key: 'column', direction: 'desc' });
    expect(ariaSort(DEFAULT_DRIFT_SORT, 'drift')).toBe('descending');
    expect(ariaSort(DEFAULT_DRIFT_SORT, 'column')).toBe('none');
    expect(ariaSort({ key: 'column', direction: 'asc' }, 'column')).toBe('ascending');
  });

  test('untestedColumns', () => {
    expect(names(untestedColumns(columns))).toEqual(['ts']);
  });
});

describe('sparkline', () => {
  test('histograms: both sides as step outlines on one scale', () => {
    const spark = sparkline({ histogram: { edges: [0, 1, 2], reference: [0.75, 0.25], current: [0.5, 0.5] }, bars: null }, 40, 20);
    expect(spark).toEqual({
      kind: 'histogram',
      reference: '0,20 0,0 20,0 20,13.33 40,13.33 40,20 0,20',
      current: '0,20 0,6.67 20,6.67 20,6.67 40,6.67 40,20',
    });
  });

  test('categories: a pair of bars each, empty ones flat, tall ones to the top', () => {
    const spark = sparkline({ histogram: null, bars: { categories: ['A', 'B'], reference: [0.8, 0], current: [0.4, 0.6] } }, 42, 10);
    expect(spark).toEqual({
      kind: 'bars',
      shown: 2,
      total: 2,
      bars: [
        { x: 0, y: 0, width: 10, height: 10, side: 'reference' },
        { x: 10, y: 5, width: 10, height: 5, side: 'current' },
        { x: 21, y: 10, width: 10, height: 0, side: 'reference' },
        { x: 31, y: 2.5, width: 10, height: 7.5, side: 'current' },
      ],
    });
  });

  test('many categories: only the first ones', () => {
    const n = SPARK_CATEGORIES + 5;
    const shares = Array.from({ length: n }, () => 1 / n);
    const spark = sparkline({ histogram: null, bars: { categories: shares.map((_, i) => `c${i}`), reference: shares, current: shares } }, 96, 24);
    expect(spark?.kind === 'bars' && [spark.shown, spark.total, spark.bars.length]).toEqual([SPARK_CATEGORIES, n, 2 * SPARK_CATEGORIES]);
  });

  test.each([
    ['nothing to draw', { histogram: null, bars: null }],
    ['no bins', { histogram: { edges: [0], reference: [], current: [] }, bars: null }],
    ['sides of different lengths', { histogram: { edges: [0, 1, 2], reference: [1, 0], current: [1] }, bars: null }],
    ['all zero', { histogram: null, bars: { categories: ['a'], reference: [0], current: [0] } }],
  ] as const)('%s: null', (_name, data) => {
    expect(sparkline(data as unknown as Pick<DriftColumn, 'histogram' | 'bars'>, 96, 24)).toBeNull();
  });

  test('bad numbers count as zero', () => {
    const spark = sparkline(
      { histogram: { edges: [0, 1, 2], reference: [NaN, 1], current: [-1, 1] }, bars: null },
      20,
      10,
    );
    expect(spark).toEqual({ kind: 'histogram', reference: '0,10 0,10 10,10 10,0 20,0 20,10 0,10', current: '0,10 0,10 10,10 10,0 20,0 20,10' });
  });
});

describe('details', () => {
  test('summaryRows: the statistics either side has', () => {
    expect(
      summaryRows(
        side({ count: 760, missing: 40, mean: 100.2, std: 15, min: 51.25, max: 150 }),
        side({ count: 800, missing: 0, mean: 100.94, std: 15.1, min: 48, max: null }),
      ),
    ).toEqual([
      { label: 'count', reference: '760', current: '800' },
      { label: 'missing', reference: '40 (5%)', current: '0' },
      { label: 'mean', reference: '100.2', current: '100.9' },
      { label: 'std', reference: '15', current: '15.1' },
      { label: 'min', reference: '51.25', current: '48' },
      { label: 'max', reference: '150', current: '' },
    ]);
    expect(summaryRows(side({ count: 3, missing: 0, distinct: 3 }), side({ count: 1200, missing: 0, distinct: 1100 })).map((r) => r.label)).toEqual([
      'count',
      'missing',
      'distinct',
    ]);
    expect(summaryRows(side({ count: 3, missing: 0, mean: 2, median: 1.5 }), side({ count: 3, missing: 0 })).map((r) => r.label)).toEqual([
      'count',
      'missing',
      'mean',
      'median',
    ]);
  });

  test('categoryList: cut to the limit, with how many more (the engine may send fewer than it counted)', () => {
    expect(categoryList(['a', 'b', 'c'], 3, 2)).toEqual({ shown: ['a', 'b'], more: 1 });
    expect(categoryList(['a', 'b'], 100, 20)).toEqual({ shown: ['a', 'b'], more: 98 });
    expect(categoryList([], 0)).toEqual({ shown: [], more: 0 });
  });

  test('exportFileName', () => {
    expect(exportFileName({ reference: { path: '/d/ref_800.csv' }, current: { path: 'C:\\d\\cur 800.parquet' } } as never, 'html')).toBe(
      'drift-ref_800-vs-cur_800.html',
    );
  });
});
