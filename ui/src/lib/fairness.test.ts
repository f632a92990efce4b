import { describe, expect, test } from 'vitest';
import { fairnessRequest } from '../../tests/browser/fixtures.mjs';
import type { Dataset, FairnessChange, FairnessColumn, FairnessColumns, FairnessDisparity, FairnessGroup, FairnessGrouping } from './backend';
import {
  BOOTSTRAP_REPLICATES,
  CHANGES_SHOWN,
  FAIRNESS_METRICS,
  VERDICT_LABELS,
  bandCaption,
  checkFairnessForm,
  columnOptionLabel,
  datasetOptions,
  defaultPositiveLabel,
  disparityLabel,
  disparityMeaning,
  disparityRows,
  fairnessExportName,
  fairnessVerdictTitle,
  formatChange,
  formatRate,
  groupingName,
  groupingViolations,
  guessSummary,
  intervalText,
  isScoreColumn,
  labelWarning,
  metricCell,
  metricLabel,
  overallDisparities,
  positiveLabelChoices,
  predictionIsScore,
  preselect,
  sensitiveCandidates,
  smallGroups,
  sortChanges,
  thresholdCell,
  thresholdsText,
  toggleName,
  verdictOf,
  violationsWhere,
  type FairnessForm,
} from './fairness';

// The shared data's predictions: label and prediction (0/1), sex (F/M), age_group, and a score.
function column(name: string, fields: Partial<FairnessColumn> = {}): FairnessColumn {
  return { name, dtype: 'str', kind: 'categorical', distinct: 2, values: null, ...fields };
}

const COLUMNS: FairnessColumns = {
  path: '/d/predictions.csv',
  rows: 800,
  columns: [
    column('label', { dtype: 'i64', kind: 'boolean', values: ['0', '1'] }),
    column('prediction', { dtype: 'i64', kind: 'boolean', values: ['0', '1'] }),
    column('score', { dtype: 'f64', kind: 'numerical', distinct: 781 }),
    column('sex', { values: ['F', 'M'] }),
    column('age_group', { distinct: 4, values: ['18-29', '30-44', '45-59', '60+'] }),
  ],
  guess: { label: 'label', prediction: 'prediction', positive_label: '1', score: false, sensitive: ['sex', 'age_group'] },
};

function group(label: string, fields: Partial<FairnessGroup> = {}): FairnessGroup {
  return {
    label,
    values: label.split(' | '),
    count: 400,
    below_min_size: false,
    selection_rate: 0.3,
    true_positive_rate: 0.68,
    false_positive_rate: 0.11,
    true_negative_rate: 0.89,
    false_negative_rate: 0.32,
    accuracy: 0.82,
    precision: 0.72,
    undefined: [],
    ...fields,
  };
}

function disparity(name: string, fields: Partial<FairnessDisparity> = {}): FairnessDisparity {
  const kind = name.endsWith('ratio') ? 'ratio' : 'difference';
  return {
    name,
    method: 'between_groups',
    value: kind === 'ratio' ? 0.9 : 0.05,
    interval: null,
    threshold: kind === 'ratio' ? 0.8 : 0.1,
    kind,
    violated: false,
    ...fields,
  };
}

function grouping(columns: string[], fields: Partial<FairnessGrouping> = {}): FairnessGrouping {
  return {
    columns,
    groups: [group('F'), group('M')],
    disparities: [
      disparity('demographic_parity_difference'),
      disparity('demographic_parity_ratio', { value: 0.725, violated: true }),
      disparity('equalized_odds_difference', { value: 0.101, violated: true }),
      disparity('demographic_parity_difference', { method: 'to_overall', value: 0.052, violated: null }),
    ],
    disparate_impact: { ratio: 0.725, four_fifths_violation: true, lowest_group: 'F', highest_group: 'M', interval: null },
    ...fields,
  };
}

describe('columns and guesses', () => {
  test('the guesses are preselected', () => {
    expect(preselect(COLUMNS)).toEqual({ label: 'label', prediction: 'prediction', positiveLabel: '1', sensitive: ['sex', 'age_group'] });
  });

  test('guesses naming no column, or the label among the sensitive ones, are dropped', () => {
    const odd = { ...COLUMNS, guess: { ...COLUMNS.guess, label: 'target', sensitive: ['label', 'sex', 'race'] } };
    expect(preselect(odd)).toEqual({ label: '', prediction: 'prediction', positiveLabel: '', sensitive: ['label', 'sex'] });
    const none = { ...COLUMNS, guess: { label: null, prediction: null, positive_label: null, score: false, sensitive: [] } };
    expect(preselect(none)).toEqual({ label: '', prediction: '', positiveLabel: '', sensitive: [] });
  });

  test('what was guessed, in words', () => {
    expect(guessSummary(COLUMNS)).toBe(
      'Guessed the label (label, positive 1), the prediction (prediction) and the sensitive columns (sex, age_group).',
    );
    expect(guessSummary({ ...COLUMNS, guess: { ...COLUMNS.guess, prediction: 'score', score: true, sensitive: [] } })).toBe(
      'Guessed the label (label, positive 1) and the prediction (score, a score); choose the sensitive columns.',
    );
    expect(guessSummary({ ...COLUMNS, guess: { ...COLUMNS.guess, label: null, positive_label: null, prediction: null } })).toBe(
      'Guessed the sensitive columns (sex, age_group); choose the label and the prediction.',
    );
    expect(guessSummary({ ...COLUMNS, guess: { label: null, prediction: null, positive_label: null, score: false, sensitive: [] } })).toBe(
      'Nothing could be guessed: choose the columns below.',
    );
  });

  test('scores are numbers with more than two values; the engine decides for its own guess', () => {
    expect(isScoreColumn(COLUMNS.columns[2])).toBe(true);
    expect(isScoreColumn(COLUMNS.columns[1])).toBe(false);
    expect(isScoreColumn(column('p', { kind: 'numerical', dtype: 'f32', distinct: null }))).toBe(true);
    expect(isScoreColumn(column('n', { kind: 'numerical', dtype: 'i64', distinct: null }))).toBe(false);
    expect(predictionIsScore(COLUMNS, 'score')).toBe(true);
    expect(predictionIsScore(COLUMNS, 'prediction')).toBe(false);
    expect(predictionIsScore({ ...COLUMNS, guess: { ...COLUMNS.guess, score: true } }, 'prediction')).toBe(true);
    expect(predictionIsScore(COLUMNS, '')).toBe(false);
    expect(predictionIsScore(null, 'score')).toBe(false);
  });

  test('the positive label is chosen from few values, typed otherwise', () => {
    expect(positiveLabelChoices(COLUMNS.columns[0])).toEqual(['0', '1']);
    expect(positiveLabelChoices(column('c', { distinct: 30, values: null }))).toBeNull();
    expect(positiveLabelChoices(column('c', { distinct: 25, values: Array.from({ length: 20 }, (_, i) => `v${i}`) }))).toBeNull();
    expect(positiveLabelChoices(column('c', { distinct: 12, values: Array.from({ length: 12 }, (_, i) => `v${i}`) }))).toBeNull();
    expect(positiveLabelChoices(null)).toBeNull();
  });

  test.each([
    ['the guess for the guessed label', 'label', '1'],
    ['a value that reads as positive', 'sex', ''],
    ['no label', '', ''],
  ])('defaultPositiveLabel: %s', (_name, label, expected) => {
    expect(defaultPositiveLabel(COLUMNS, label)).toBe(expected);
  });

  test('defaultPositiveLabel finds "yes" and "True" in another column', () => {
    const cols = {
      ...COLUMNS,
      columns: [...COLUMNS.columns, column('approved', { values: ['no', 'yes'] }), column('flag', { kind: 'boolean', values: ['False', 'True'] })],
    };
    expect(defaultPositiveLabel(cols, 'approved')).toBe('yes');
    expect(defaultPositiveLabel(cols, 'flag')).toBe('True');
  });

  test('a label with more than two values is warned about', () => {
    expect(labelWarning(COLUMNS.columns[4])).toBe('age_group has 4 values; a label has two classes');
    expect(labelWarning(COLUMNS.columns[0])).toBeNull();
    expect(labelWarning(null)).toBeNull();
  });

  test('sensitive candidates leave out the label and the prediction', () => {
    expect(sensitiveCandidates(COLUMNS, 'label', 'prediction').map((c) => c.name)).toEqual(['score', 'sex', 'age_group']);
    expect(sensitiveCandidates(null, 'label', 'prediction')).toEqual([]);
  });

  test('toggleName', () => {
    expect(toggleName(['sex'], 'age_group')).toEqual(['sex', 'age_group']);
    expect(toggleName(['sex', 'age_group'], 'sex')).toEqual(['age_group']);
  });

  test('column options say the type and the number of values', () => {
    expect(columnOptionLabel(COLUMNS.columns[4])).toBe('age_group · str · 4 values');
    expect(columnOptionLabel(column('x', { distinct: 1 }))).toBe('x · str · 1 value');
    expect(columnOptionLabel(column('x', { distinct: null, dtype: 'f64' }))).toBe('x · f64');
  });

  test('catalog datasets by project, then path', () => {
    const d = (id: number, project: string, path: string, rows: number | null): Dataset => ({
      id,
      project,
      path,
      absolute_path: `/w/${project}/${path}`,
      format: 'csv',
      rows,
      bytes: 1,
      hash: null,
      columns: 0,
      schema: [],
    });
    expect(datasetOptions([d(1, 'fraud', 'data/b10.csv', 800), d(2, 'churn', 'x.csv', null), d(3, 'fraud', 'data/b2.csv', 1200)])).toEqual([
      { project: 'churn', datasets: [{ path: '/w/churn/x.csv', label: 'x.csv' }] },
      {
        project: 'fraud',
        datasets: [
          { path: '/w/fraud/data/b2.csv', label: 'data/b2.csv (1,200 rows)' },
          { path: '/w/fraud/data/b10.csv', label: 'data/b10.csv (800 rows)' },
        ],
      },
    ]);
  });
});

describe('the form', () => {
  const form = (fields: Partial<FairnessForm> = {}): FairnessForm => ({
    path: '/d/predictions.csv',
    label: 'label',
    prediction: 'prediction',
    positiveLabel: '1',
    thresholdText: '0.5',
    sensitive: ['sex', 'age_group'],
    minGroupSizeText: '30',
    compareWith: '',
    bootstrap: false,
    seedText: '0',
    maxDifferenceText: '0.1',
    minRatioText: '0.8',
    ...fields,
  });

  test('the defaults make a request', () => {
    expect(checkFairnessForm(form(), COLUMNS)).toEqual({
      request: fairnessRequest('/d/predictions.csv'),
      errors: {},
    });
  });

  test('every option set: a score with its threshold, an earlier file, the bootstrap', () => {
    const check = checkFairnessForm(
      form({
        prediction: 'score',
        thresholdText: '0.35',
        positiveLabel: '',
        sensitive: ['age_group', 'sex'],
        minGroupSizeText: ' 50 ',
        compareWith: ' /d/last_month.parquet ',
        bootstrap: true,
        seedText: '42',
        maxDifferenceText: '.05',
        minRatioText: '0.9',
      }),
      COLUMNS,
    );
    expect(check.errors).toEqual({});
    expect(check.request).toEqual(
      fairnessRequest('/d/predictions.csv', {
        prediction: 'score',
        // In the file's order, whatever order they were ticked in.
        sensitive: ['sex', 'age_group'],
        positive_label: null,
        score_threshold: 0.35,
        min_group_size: 50,
        compare_with: '/d/last_month.parquet',
        bootstrap: { replicates: BOOTSTRAP_REPLICATES, seed: 42 },
        max_difference: 0.05,
        min_ratio: 0.9,
      }),
    );
  });

  test('no file, or its columns not read yet: no request and no error', () => {
    expect(checkFairnessForm(form({ path: null }), COLUMNS)).toEqual({ request: null, errors: {} });
    expect(checkFairnessForm(form({ label: '', sensitive: [] }), null)).toEqual({ request: null, errors: {} });
  });

  test('the label and the prediction are never sensitive', () => {
    expect(checkFairnessForm(form({ sensitive: ['label', 'sex'] }), COLUMNS).request?.sensitive).toEqual(['sex']);
  });

  test.each([
    [{ path: '/d/notes.txt' }, 'path', 'notes.txt is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)'],
    [{ label: '' }, 'label', 'Choose the label column'],
    [{ label: 'target' }, 'label', 'There is no column target'],
    [{ prediction: '' }, 'prediction', 'Choose the prediction column'],
    [{ prediction: 'pred' }, 'prediction', 'There is no column pred'],
    [{ prediction: 'label', sensitive: ['sex'] }, 'prediction', 'The prediction is another column than the label'],
    [{ sensitive: [] }, 'sensitive', 'Choose at least one sensitive column'],
    [{ sensitive: ['prediction'] }, 'sensitive', 'Choose at least one sensitive column'],
    [{ prediction: 'score', thresholdText: 'half' }, 'threshold', 'The score threshold is a number (scores at or above it are positive)'],
    [{ minGroupSizeText: '0' }, 'minGroupSize', 'The minimum group size is a whole number of rows, 1 or more'],
    [{ minGroupSizeText: '2.5' }, 'minGroupSize', 'The minimum group size is a whole number of rows, 1 or more'],
    [{ maxDifferenceText: '0' }, 'maxDifference', 'The largest difference is above 0 and at most 1 (0.1 = ten points)'],
    [{ maxDifferenceText: '10%' }, 'maxDifference', 'The largest difference is above 0 and at most 1 (0.1 = ten points)'],
    [{ minRatioText: '1.25' }, 'minRatio', 'The smallest ratio is above 0 and at most 1 (0.8 = the four-fifths rule)'],
    [{ compareWith: '/d/old.xlsx' }, 'compareWith', 'old.xlsx is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)'],
    [{ compareWith: '/d/predictions.csv' }, 'compareWith', 'The earlier file is another file than the one checked'],
    [{ bootstrap: true, seedText: '-1' }, 'seed', 'The seed is a whole number, 0 or more'],
  ] as const)('%j: %s is wrong', (fields, field, message) => {
    const check = checkFairnessForm(form(fields), COLUMNS);
    expect(check.request).toBeNull();
    expect(check.errors).toEqual({ [field]: message });
  });

  test('a bad threshold or seed is ignored while it is not used', () => {
    expect(checkFairnessForm(form({ thresholdText: 'x', seedText: 'y' }), COLUMNS).errors).toEqual({});
  });
});

describe('the report', () => {
  test('verdict titles', () => {
    expect(fairnessVerdictTitle({ violations: 0 })).toBe('No violations');
    expect(fairnessVerdictTitle({ violations: 1 })).toBe('1 fairness violation');
    expect(fairnessVerdictTitle({ violations: 12 })).toBe('12 fairness violations');
  });

  test('the thresholds, the four-fifths rule named when it is the ratio', () => {
    expect(thresholdsText({ max_difference: 0.1, min_ratio: 0.8 })).toBe(
      'difference ≤ 0.1, ratio ≥ 0.8 (the four-fifths rule), between groups',
    );
    expect(thresholdsText({ max_difference: 0.05, min_ratio: 0.9 })).toBe('difference ≤ 0.05, ratio ≥ 0.9, between groups');
  });

  test('groupings: names, violations counted on judged disparities only, and where they are', () => {
    const sex = grouping(['sex']);
    const age = grouping(['age_group'], { disparities: [disparity('demographic_parity_difference')] });
    const both = grouping(['sex', 'age_group'], { groups: [group('F | 60+', { below_min_size: true, count: 12 }), group('M | 60+')] });
    expect(groupingName(both)).toBe('sex × age_group');
    expect(groupingViolations(sex)).toBe(2);
    expect(groupingViolations(age)).toBe(0);
    expect(violationsWhere({ groupings: [sex, age, both] })).toBe('sex 2, sex × age_group 2');
    expect(smallGroups({ groupings: [sex, age, both] })).toBe(1);
    expect(overallDisparities(sex).map((d) => d.value)).toEqual([0.052]);
  });

  test('a metric cell: the rate, or "—" with the reason, never 0', () => {
    const g = group('F | 60+', {
      true_positive_rate: null,
      precision: null,
      selection_rate: 0,
      undefined: [{ metric: 'true_positive_rate', reason: 'the group has no positive labels' }],
    });
    expect(metricCell(g, 'selection_rate')).toEqual({ text: '0', title: 'Selection rate: 0', undefined: false });
    expect(metricCell(g, 'true_positive_rate')).toEqual({
      text: '—',
      title: 'Undefined: the group has no positive labels',
      undefined: true,
    });
    expect(metricCell(g, 'precision')).toEqual({ text: '—', title: 'Undefined: not defined for this group', undefined: true });
    expect(metricCell(g, 'accuracy').text).toBe('0.82');
  });

  test('numbers', () => {
    expect(formatRate(0.25586854460093894)).toBe('0.2559');
    expect(formatRate(null)).toBe('—');
    expect(formatRate(NaN)).toBe('—');
    expect(formatChange(0.0523)).toBe('+0.0523');
    expect(formatChange(-0.1)).toBe('−0.1');
    expect(formatChange(0)).toBe('0');
    expect(formatChange(null)).toBe('—');
    expect(intervalText({ low: 0.05213, high: 0.1402, confidence: 0.95 })).toBe('0.05213 – 0.1402 (95%)');
    expect(intervalText(null)).toBe('');
    expect(thresholdCell('difference', 0.1)).toBe('≤ 0.1');
    expect(thresholdCell('ratio', 0.8)).toBe('≥ 0.8');
  });

  test('metric and disparity names', () => {
    expect(FAIRNESS_METRICS.map(metricLabel)).toEqual([
      'Selection rate',
      'True positive rate',
      'False positive rate',
      'True negative rate',
      'False negative rate',
      'Accuracy',
      'Precision',
    ]);
    expect(metricLabel('f1')).toBe('f1');
    expect(disparityLabel('equalized_odds_ratio')).toBe('Equalized odds ratio');
    expect(disparityLabel('something_new')).toBe('something_new');
    expect(disparityMeaning(disparity('equal_opportunity_difference'))).toBe('Largest gap in true positive rates between two groups');
    expect(disparityMeaning(disparity('demographic_parity_ratio'))).toBe("Lowest group's selection rates over the highest's");
    expect(disparityMeaning(disparity('demographic_parity_difference', { method: 'to_overall' }))).toBe(
      "Largest gap between a group's selection rates and the overall one",
    );
  });

  test('the disparity table: judged disparities, then disparate impact with its groups', () => {
    const rows = disparityRows(grouping(['sex']));
    expect(rows.map((r) => [r.name, r.threshold, r.verdict])).toEqual([
      ['demographic_parity_difference', '≤ 0.1', 'pass'],
      ['demographic_parity_ratio', '≥ 0.8', 'fail'],
      ['equalized_odds_difference', '≤ 0.1', 'fail'],
      ['disparate_impact', '≥ 0.8', 'fail'],
    ]);
    expect(rows[3]).toMatchObject({ value: 0.725, note: 'lowest F, highest M', label: 'Disparate impact (four-fifths rule)' });
    const undefinedDi = disparityRows(
      grouping(['sex'], { disparate_impact: { ratio: null, four_fifths_violation: null, lowest_group: null, highest_group: null, interval: null } }),
    ).at(-1);
    expect(undefinedDi).toMatchObject({ value: null, verdict: 'undefined', note: null });
    expect([verdictOf(true), verdictOf(false), verdictOf(null)].map((v) => VERDICT_LABELS[v])).toEqual(['Fail', 'Pass', '—']);
  });

  test('the chart caption: the overall line and both bands, clipped to [0, 1]', () => {
    const report = { overall: group('all', { selection_rate: 0.30125, precision: null }), max_difference: 0.1, min_ratio: 0.8 };
    expect(bandCaption(report, 'selection_rate')).toBe(
      'Line: overall selection rate 0.3013. Parity band: within 0.1 of it (0.2013–0.4012); ratio 0.8 band 0.241–0.3766.',
    );
    expect(bandCaption({ ...report, overall: group('all', { accuracy: 0.95 }) }, 'accuracy')).toBe(
      'Line: overall accuracy 0.95. Parity band: within 0.1 of it (0.85–1); ratio 0.8 band 0.76–1.',
    );
    expect(bandCaption({ ...report, overall: group('all', { false_positive_rate: 0 }) }, 'false_positive_rate')).toBe(
      'Line: overall false positive rate 0. Parity band: within 0.1 of it (0–0.1).',
    );
    expect(bandCaption(report, 'precision')).toBe('The overall precision is undefined: no line and no band.');
  });

  test('what moved: largest changes first either way, undefined ones last, ties by name', () => {
    const change = (group: string, metric: string, change: number | null): FairnessChange => ({
      grouping: 'age_group',
      group,
      metric,
      before: 0.3,
      after: change === null ? null : 0.3 + change,
      change,
    });
    const sorted = sortChanges([
      change('18-29', 'selection_rate', 0.01),
      change('60+', 'true_positive_rate', null),
      change('60+', 'selection_rate', -0.12),
      change('30-44', 'accuracy', 0.05),
      change('30-44', 'precision', -0.05),
    ]);
    expect(sorted.map((c) => [c.group, c.metric])).toEqual([
      ['60+', 'selection_rate'],
      ['30-44', 'accuracy'],
      ['30-44', 'precision'],
      ['18-29', 'selection_rate'],
      ['60+', 'true_positive_rate'],
    ]);
    expect(CHANGES_SHOWN).toBeGreaterThan(5);
  });

  test('export names', () => {
    expect(fairnessExportName({ data: { path: '/d/predictions 800.csv', format: 'csv', rows: 800, hash: 'x' } }, 'html')).toBe(
      'fairness-predictions_800.html',
    );
  });
});
