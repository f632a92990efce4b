// The built UI (ui/dist) in Debian's Chromium, driven by Playwright, against
// a mocked Tauri IPC (harness.mjs says how and why).
//
// Run with `npm run test:browser` after `npm run build`.
// CHROMIUM overrides the browser binary; SCREENSHOT_DIR, when set, receives
// a PNG of each case for people to look at.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INFO, T0, fairnessRequest, mlflowModel, onnxModel } from './fixtures.mjs';
import { calls, openPage, screenshot, useBrowser } from './harness.mjs';

const DEMO_PATH = '/usr/share/driftdeck/demo';
const DOCS_URL = 'https://github.com/driftdeck/driftdeck#readme';

const PROJECTS = [
  { id: 1, path: '/home/ana/work/fraud-detection', name: 'fraud-detection', added_at: '2026-02-11T08:00:00Z', exists: true, watch: false },
  { id: 2, path: '/home/ana/work/churn', name: 'churn', added_at: '2026-02-12 10:15:00', exists: false, watch: true },
];

const VIEW_IDS = ['projects', 'runs', 'charts', 'datasets', 'compare', 'fairness', 'models'];

function run(id, project_id, fields) {
  return {
    id,
    project_id,
    project: project_id === 1 ? 'fraud-detection' : 'churn',
    source: 'mlflow',
    run_id: `r-${id}`,
    experiment: null,
    parent_run_id: null,
    name: null,
    status: 'FINISHED',
    lifecycle: 'active',
    user: 'ana',
    start_time: new Date(T0 + id * 3_600_000).toISOString(),
    end_time: new Date(T0 + id * 3_600_000 + 95_000).toISOString(),
    start_ms: T0 + id * 3_600_000,
    end_ms: T0 + id * 3_600_000 + 95_000,
    params: {},
    tags: {},
    metrics: {},
    ...fields,
  };
}

const RUNS = [
  run(1, 1, {
    experiment: 'baseline',
    name: 'gbm-a',
    params: { model: 'gbm', lr: '0.1', optimizer: 'adam' },
    metrics: { auc: 0.91, loss: 0.2, f1: 0.7, acc: 0.9, 'val/auc': 0.88 },
    tags: { stage: 'dev' },
  }),
  run(2, 1, {
    experiment: 'baseline',
    name: 'gbm-b',
    status: 'FAILED',
    params: { model: 'gbm', lr: '0.05', optimizer: 'sgd' },
    metrics: { auc: 0.85, loss: 0.3, f1: 'NaN' },
  }),
  run(3, 1, {
    experiment: 'tuning',
    name: 'rf-1',
    status: 'RUNNING',
    end_time: null,
    params: { model: 'rf', lr: '0.1' },
    metrics: { auc: 0.95, loss: 0.15 },
  }),
  run(4, 2, { name: 'logreg', lifecycle: 'deleted', metrics: { auc: 0.7 } }),
  run(5, 2, { experiment: 'churn-exp', run_id: 'abc123def', status: 'KILLED' }),
];

const DATASETS = [
  {
    id: 1,
    project: 'fraud-detection',
    path: 'data/train.csv',
    absolute_path: '/home/ana/work/fraud-detection/data/train.csv',
    format: 'csv',
    rows: 1000,
    bytes: 52_000,
    hash: 'b3a1c9d2e4f5a6b7c8d9',
    columns: 6,
    schema: [
      {
        name: 'amount',
        dtype: 'f64',
        kind: 'numerical',
        nulls: 10,
        profile: {
          count: 990, nan: 0, inf: 0, distinct_approx: 800, min: 0.5, max: 950.25, mean: 120.3, std: 80.1,
          quantiles: { p50: 100 }, quantiles_exact: true,
          histogram: { edges: [0.5, 190.4, 380.3, 570.2, 760.1, 950.25], counts: [500, 300, 120, 50, 20] },
        },
      },
      {
        name: 'country',
        dtype: 'str',
        kind: 'categorical',
        nulls: 0,
        profile: { count: 1000, cardinality: 3, top: [{ value: 'DE', count: 600 }, { value: 'FR', count: 300 }, { value: 'IT', count: 100 }], other: 0 },
      },
      {
        name: 'is_fraud',
        dtype: 'bool',
        kind: 'boolean',
        nulls: 0,
        profile: { count: 1000, cardinality: 2, top: [{ value: 'false', count: 950 }, { value: 'true', count: 50 }], other: 0 },
      },
      { name: 'ts', dtype: 'datetime[μs]', kind: 'datetime', nulls: 0, profile: { count: 1000, min: '2026-01-01 00:00:00', max: '2026-02-01 00:00:00' } },
      { name: 'note', dtype: 'str', kind: 'text', nulls: 500, profile: { count: 500, distinct_approx: null } },
      // Malformed on purpose: the profile view must show what it can and not break.
      { name: 'odd', dtype: 'f64', kind: 'numerical', nulls: 0, profile: { histogram: { edges: [1], counts: [1, 2] }, mean: 'x' } },
    ],
  },
  {
    id: 2,
    project: 'churn',
    path: 'data/churn.parquet',
    absolute_path: '/home/ana/work/churn/data/churn.parquet',
    format: 'parquet',
    rows: null,
    bytes: 3_400_000,
    hash: null,
    columns: 0,
    schema: [],
  },
];

const MODELS = {
  models: [
    mlflowModel({
      details: {
        flavors: { sklearn: { sklearn_version: '1.5.0', pickled_model: 'model.pkl' } },
        signature: { inputs: [{ name: 'amount', type: 'double' }] },
        run_id: 'r-1',
        mlflow_version: '2.16.0',
        files: 5,
      },
    }),
    onnxModel({
      project: 'churn',
      path: 'model.onnx',
      absolute_path: '/home/ana/work/churn/model.onnx',
      details: { ir_version: 8, producer_name: 'pytorch', opset: [{ domain: '', version: 17 }] },
    }),
  ],
  registered_models: [
    {
      project: 'fraud-detection',
      source: 'mlflow',
      name: 'fraud-gbm',
      description: 'GBM for fraud',
      aliases: { champion: '2' },
      tags: { team: 'risk' },
      versions: [
        { version: '1', run_id: 'r-0', model_id: null, source: null, status: 'READY' },
        { version: '2', run_id: 'r-1', model_id: 'm-123', source: null, status: 'READY' },
      ],
    },
  ],
};

// Drift: the 800-row reference/current pair of tests/data/drift (21
// columns; `ts` is a datetime and not tested), with Evidently's p-values for
// the default tests (KS, chi-square, Z) and plausible effect sizes.
const DRIFT_METHODS = [
  { name: 'ks', label: 'K-S p_value', kinds: ['numerical'], has_p_value: true, default_threshold: 0.05 },
  { name: 'chisquare', label: 'chi-square p_value', kinds: ['categorical', 'boolean'], has_p_value: true, default_threshold: 0.05 },
  { name: 'z', label: 'Z-test p_value', kinds: ['categorical', 'boolean'], has_p_value: true, default_threshold: 0.05 },
  { name: 'wasserstein', label: 'Wasserstein distance (normed)', kinds: ['numerical'], has_p_value: false, default_threshold: 0.1 },
  { name: 'jensenshannon', label: 'Jensen-Shannon distance', kinds: ['numerical', 'categorical', 'boolean'], has_p_value: false, default_threshold: 0.1 },
  { name: 'psi', label: 'PSI', kinds: ['numerical', 'categorical', 'boolean'], has_p_value: false, default_threshold: 0.1 },
  { name: 'kl', label: 'Kullback-Leibler divergence', kinds: ['numerical', 'categorical', 'boolean'], has_p_value: false, default_threshold: 0.1 },
  { name: 'hellinger', label: 'Hellinger distance', kinds: ['numerical', 'categorical', 'boolean'], has_p_value: false, default_threshold: 0.1 },
  { name: 'tvd', label: 'Total variation distance', kinds: ['categorical', 'boolean'], has_p_value: false, default_threshold: 0.1 },
  { name: 'cvm', label: 'Cramér-von Mises p_value', kinds: ['numerical'], has_p_value: true, default_threshold: 0.05 },
  { name: 'anderson', label: 'Anderson-Darling p_value', kinds: ['numerical'], has_p_value: true, default_threshold: 0.05 },
  { name: 'energy', label: 'Energy distance', kinds: ['numerical'], has_p_value: false, default_threshold: 0.1 },
  { name: 'fisher', label: "Fisher's exact p_value", kinds: ['categorical', 'boolean'], has_p_value: true, default_threshold: 0.05 },
  { name: 'chi2_contingency', label: 'chi-square homogeneity p_value', kinds: ['categorical', 'boolean'], has_p_value: true, default_threshold: 0.05 },
];

/** Proportions of a normal(shift, scale) over 12 bins of [-3, 3]. */
function normalShares(shift, scale) {
  const edges = Array.from({ length: 13 }, (_, i) => -3 + i / 2);
  const raw = edges.slice(0, -1).map((e) => Math.exp(-0.5 * ((e + 0.25 - shift) / scale) ** 2));
  const sum = raw.reduce((a, b) => a + b, 0);
  return { edges, shares: raw.map((v) => v / sum) };
}

function driftColumn(name, kind, fields) {
  const drifted = fields.drifted ?? false;
  return {
    column: name,
    kind,
    kind_source: 'inferred',
    testable: true,
    not_testable_reason: null,
    method: 'ks',
    method_label: 'K-S p_value',
    reason: "numerical with more than 5 distinct values and at most 1000 reference values: Kolmogorov-Smirnov (Evidently's default)",
    statistic: 0.05,
    p_value: fields.score,
    threshold: 0.05,
    rule: 'p_value_below',
    approximate: false,
    effect_size: null,
    reference: { count: 800, missing: 0 },
    current: { count: 800, missing: 0 },
    categories: null,
    histogram: null,
    bars: null,
    ...fields,
    drifted,
  };
}

function numerical(name, score, drifted, d, shift = 0, scale = 1, more = {}) {
  const ref = normalShares(0, 1);
  const cur = normalShares(shift, scale);
  return driftColumn(name, 'numerical', {
    score,
    drifted,
    statistic: Math.min(0.4, Math.abs(d) / 2),
    effect_size: {
      name: 'wasserstein_normed',
      label: 'Wasserstein distance in reference standard deviations',
      value: d,
      magnitude: d >= 0.5 ? 'medium' : d >= 0.2 ? 'small' : 'negligible',
    },
    reference: { count: 800, missing: 0, mean: 0.01, std: 1, min: -3.1, max: 3.2 },
    current: { count: 800, missing: 0, mean: shift, std: scale, min: -3.4 * scale + shift, max: 3.3 * scale + shift },
    histogram: { edges: ref.edges, reference: ref.shares, current: cur.shares },
    ...more,
  });
}

function categorical(name, score, drifted, v, categories, ref, cur, more = {}) {
  const binary = categories.length === 2;
  return driftColumn(name, binary ? 'boolean' : 'categorical', {
    score,
    drifted,
    statistic: binary ? 1.4 : 30.5,
    method: binary ? 'z' : 'chisquare',
    method_label: binary ? 'Z-test p_value' : 'chi-square p_value',
    reason: binary
      ? "at most 2 distinct values and at most 1000 reference values: two-proportion Z-test (Evidently's default)"
      : "categorical with more than 2 distinct values and at most 1000 reference values: chi-square (Evidently's default)",
    effect_size: { name: 'cramers_v', label: "Cramér's V", value: v, magnitude: v >= 0.3 ? 'large' : v >= 0.1 ? 'small' : 'negligible' },
    reference: { count: 800, missing: 0, distinct: categories.length },
    current: { count: 800, missing: 0, distinct: categories.length },
    bars: { categories, reference: ref, current: cur },
    ...more,
  });
}

const ABC = ['A', 'B', 'C'];
const DRIFT_REPORT = {
  format_version: 1,
  id: 7,
  reference: { path: '/home/ana/data/ref_800.csv', format: 'csv', rows: 800, columns: 21, hash: 'a1b2c3', cached: true },
  current: { path: '/home/ana/data/cur_800.parquet', format: 'parquet', rows: 800, columns: 22, hash: 'd4e5f6', cached: false },
  schema: { added: ['device'], removed: [], type_changed: [{ column: 'num_count_b', reference: 'i64', current: 'f64' }] },
  columns: [
    numerical('num_normal_a', 0.6274825620995537, false, 0.03),
    numerical('num_normal_b', 1.526894519320555e-5, true, 0.25, 0.25),
    numerical('num_normal_c', 1.945489181577468e-5, true, 0.02, 0, 1.5),
    numerical('num_lognorm_a', 0.1777719174557374, false, 0.05),
    numerical('num_lognorm_b', 1.2624055197519063e-7, true, 0.31, 0.3),
    numerical('num_uniform_a', 0.5855986943168159, false, 0.01),
    numerical('num_uniform_b', 9.440477958843405e-8, true, 0.35, 0.35),
    numerical('num_count_a', 0.9999999752770047, false, 0),
    numerical('num_count_b', 2.1181918111251515e-24, true, 0.66, 0.66),
    numerical('num_nulls', 0.08117717403688181, false, 0.05, 0.05, 1, {
      reference: { count: 760, missing: 40, mean: 100.2, std: 15, min: 51.2, max: 150.3 },
      current: { count: 758, missing: 42, mean: 100.9, std: 15.1, min: 49.9, max: 151 },
    }),
    categorical('cat_low_a', 0.018709406056222313, true, 0.09, ABC, [0.5, 0.3, 0.2], [0.45, 0.33, 0.22]),
    categorical('cat_low_b', 4.2546319702285594e-33, true, 0.31, ['v', 'w', 'x', 'y', 'z'], [0.4, 0.25, 0.15, 0.12, 0.08], [0.25, 0.25, 0.2, 0.15, 0.15]),
    categorical('cat_mid', 4.7036697815321534e-7, true, 0.18, ['m00', 'm01', 'm02', 'm03', '(other)'], [0.2, 0.12, 0.08, 0.06, 0.54], [0.18, 0.13, 0.07, 0.07, 0.55]),
    categorical('cat_high_a', 0, true, 0.42, ['h0000', 'h0001', 'h0002', '(other)'], [0.08, 0.05, 0.04, 0.83], [0.07, 0.04, 0.03, 0.86], {
      approximate: true,
      categories: { new: ['n000', 'n001', 'n002', 'n003', 'n004', 'n005', 'n006', 'n007', 'n008', 'n009'], new_count: 100, missing: [], missing_count: 0 },
    }),
    categorical('cat_high_b', 0, true, 0.38, ['k000', 'k001', '(other)'], [0.05, 0.03, 0.92], [0.002, 0.004, 0.994]),
    categorical('cat_nulls', 0.003678466921450477, true, 0.12, ['c0', 'c1', 'c2'], [0.34, 0.33, 0.33], [0.3, 0.3, 0.4]),
    categorical('label', 0.7916021057424927, false, 0.01, ['0', '1'], [0.7, 0.3], [0.69, 0.31]),
    categorical('prediction', 0.6256483959959056, false, 0.02, ['0', '1'], [0.72, 0.28], [0.71, 0.29]),
    categorical('sex', 0.1613246177200447, false, 0.05, ['F', 'M'], [0.48, 0.52], [0.52, 0.48]),
    categorical('age_group', 3.7817604980176505e-6, true, 0.16, ['18-29', '30-44', '45-59', '60+'], [0.25, 0.3, 0.27, 0.18], [0.32, 0.3, 0.22, 0.16]),
    {
      ...driftColumn('ts', 'datetime', { score: null }),
      testable: false,
      not_testable_reason: 'datetime columns are not tested',
      method: null,
      method_label: null,
      reason: null,
      statistic: null,
      p_value: null,
      threshold: null,
      rule: null,
    },
  ],
  tested_columns: 20,
  drifted_columns: 12,
  share_drifted: 0.6,
  drift_share: 0.5,
  dataset_drift: true,
  elapsed_ms: 412,
};

const PROBLEMS = [
  { project: 'churn', path: 'mlruns/0/bad/meta.yaml', reader: 'mlflow', message: 'meta.yaml: expected a mapping at line 3' },
];

// Fairness: the drift pair's predictions (tests/data/drift, cur_800:
// label, prediction, sex F/M, age_group 18-29/30-44/45-59/60+) as confusion
// counts per sex × age group, derived from Fairlearn's rates on that file,
// except that here there are only 28 women over 60 and the model selects none
// of them (a group under the minimum size, whose precision is undefined). The report below is computed from these counts the way the
// engine does (Fairlearn's definitions, undefined rates left out of every min
// and max); the earlier file is the same model a month before, when it still did.
const FAIRNESS_PATH = '/home/ana/work/fraud-detection/data/predictions_2026-03.csv';
const FAIRNESS_EARLIER = '/home/ana/work/fraud-detection/data/predictions_2026-02.csv';
// Per sex × age group: true positives, false positives, false negatives, true negatives, in the
// file checked and in the earlier file.
const FAIRNESS_COUNTS = [
  ['F', '18-29', [24, 13, 5, 53], [22, 12, 6, 55]],
  ['F', '30-44', [23, 3, 10, 67], [24, 4, 9, 66]],
  ['F', '45-59', [23, 8, 16, 76], [22, 8, 16, 77]],
  ['F', '60+', [0, 0, 7, 21], [3, 1, 5, 20]],
  ['M', '18-29', [29, 8, 5, 39], [28, 9, 6, 38]],
  ['M', '30-44', [27, 9, 13, 52], [27, 8, 13, 53]],
  ['M', '45-59', [30, 10, 8, 54], [29, 11, 9, 53]],
  ['M', '60+', [15, 4, 11, 60], [16, 4, 10, 60]],
];
// Cells as fairnessGroups reads them: sex, age_group, then the four counts.
const FAIRNESS_CELLS = FAIRNESS_COUNTS.map(([sex, age, now]) => [sex, age, ...now]);
const FAIRNESS_EARLIER_CELLS = FAIRNESS_COUNTS.map(([sex, age, , earlier]) => [sex, age, ...earlier]);
const FAIRNESS_METRIC_NAMES = [
  'selection_rate', 'true_positive_rate', 'false_positive_rate', 'true_negative_rate', 'false_negative_rate', 'accuracy', 'precision',
];
const DISPARITY_NAMES = [
  'demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference', 'equalized_odds_ratio',
  'equal_opportunity_difference', 'equal_opportunity_ratio',
];

/** A group's metrics from its counts; a rate with a zero denominator is null, with the engine's reason. */
function fairnessGroup(values, [tp, fp, fn, tn], minGroupSize) {
  const n = tp + fp + fn + tn;
  const undefined_ = [];
  const rate = (metric, num, den, reason) => {
    if (den > 0) return num / den;
    undefined_.push({ metric, reason });
    return null;
  };
  return {
    label: values.join(' | '),
    values,
    count: n,
    below_min_size: n < minGroupSize,
    selection_rate: rate('selection_rate', tp + fp, n, 'the group has no rows'),
    true_positive_rate: rate('true_positive_rate', tp, tp + fn, 'the group has no positive labels'),
    false_positive_rate: rate('false_positive_rate', fp, fp + tn, 'the group has no negative labels'),
    true_negative_rate: rate('true_negative_rate', tn, fp + tn, 'the group has no negative labels'),
    false_negative_rate: rate('false_negative_rate', fn, tp + fn, 'the group has no positive labels'),
    accuracy: rate('accuracy', tp + tn, n, 'the group has no rows'),
    precision: rate('precision', tp, tp + fp, 'the group has no positive predictions'),
    undefined: undefined_,
  };
}

/** Each sensitive column, then the intersection: groups in sorted value order, counts summed over the other column. */
function fairnessGroups(cells, columns, minGroupSize) {
  const byKey = new Map();
  for (const cell of cells) {
    const values = columns.map((c) => cell[c]);
    const key = values.join('\u0000');
    const sum = byKey.get(key)?.counts ?? [0, 0, 0, 0];
    byKey.set(key, { values, counts: sum.map((v, i) => v + cell[2 + i]) });
  }
  return [...byKey.values()]
    .sort((a, b) => (a.values.join('\u0000') < b.values.join('\u0000') ? -1 : 1))
    .map((g) => fairnessGroup(g.values, g.counts, minGroupSize));
}

function fairnessReport({ id, path, cells, earlier = null, minGroupSize = 30, maxDifference = 0.1, minRatio = 0.8, bootstrap = false }) {
  const total = cells.reduce((sum, c) => sum.map((v, i) => v + c[2 + i]), [0, 0, 0, 0]);
  const overall = { ...fairnessGroup([], total, minGroupSize), label: 'overall', below_min_size: false };
  const interval = (v) => (bootstrap && v !== null ? { low: Math.max(0, v - 0.031), high: Math.min(1, v + 0.027), confidence: 0.95 } : null);
  const groupings = [[0], [1], [0, 1]].map((cols) => {
    const groups = fairnessGroups(cells, cols, minGroupSize);
    const agg = (metric) => {
      const vs = groups.map((g) => g[metric]).filter((v) => v !== null);
      const o = overall[metric];
      const min = Math.min(...vs);
      const max = Math.max(...vs);
      return {
        between_groups: { difference: max - min, ratio: max > 0 ? min / max : null },
        to_overall: {
          difference: Math.max(...vs.map((v) => Math.abs(v - o))),
          ratio: Math.min(...vs.map((v) => (v / o > 1 ? o / v : v / o))),
        },
      };
    };
    const [sel, tpr, fpr] = ['selection_rate', 'true_positive_rate', 'false_positive_rate'].map(agg);
    const value = (name, method) => {
      const kind = name.endsWith('ratio') ? 'ratio' : 'difference';
      const of = (a) => a[method][kind];
      if (name.startsWith('demographic_parity')) return of(sel);
      if (name.startsWith('equal_opportunity')) return of(tpr);
      return kind === 'difference' ? Math.max(of(tpr), of(fpr)) : Math.min(of(tpr), of(fpr));
    };
    const disparities = DISPARITY_NAMES.flatMap((name) =>
      ['between_groups', 'to_overall'].map((method) => {
        const kind = name.endsWith('ratio') ? 'ratio' : 'difference';
        const v = value(name, method);
        const threshold = kind === 'ratio' ? minRatio : maxDifference;
        return {
          name,
          method,
          value: v,
          interval: interval(v),
          threshold,
          kind,
          violated: method === 'to_overall' || v === null ? null : kind === 'ratio' ? v < threshold : v > threshold,
        };
      }),
    );
    const rates = groups.map((g) => g.selection_rate);
    const ratio = sel.between_groups.ratio;
    return {
      columns: cols.map((c) => ['sex', 'age_group'][c]),
      groups,
      disparities,
      disparate_impact: {
        ratio,
        four_fifths_violation: ratio === null ? null : ratio < 0.8,
        lowest_group: groups[rates.indexOf(Math.min(...rates))].label,
        highest_group: groups[rates.indexOf(Math.max(...rates))].label,
        interval: interval(ratio),
      },
    };
  });
  const violations = groupings.reduce((n, g) => n + g.disparities.filter((d) => d.violated === true).length, 0);
  let comparison = null;
  if (earlier) {
    const before = fairnessReport({ id: 0, path: earlier.path, cells: earlier.cells, minGroupSize });
    const changes = [];
    groupings.forEach((g, i) => {
      for (const group of g.groups) {
        const old = before.groupings[i].groups.find((x) => x.label === group.label);
        for (const metric of FAIRNESS_METRIC_NAMES) {
          const [b, a] = [old[metric], group[metric]];
          changes.push({ grouping: g.columns.join(' × '), group: group.label, metric, before: b, after: a, change: a === null || b === null ? null : a - b });
        }
      }
    });
    comparison = { path: earlier.path, rows: before.data.rows, changes };
  }
  return {
    format_version: 1,
    id,
    data: { path, format: 'csv', rows: overall.count, hash: 'c0ffee12' },
    label: 'label',
    prediction: 'prediction',
    positive_label: '1',
    score_threshold: null,
    sensitive: ['sex', 'age_group'],
    min_group_size: minGroupSize,
    max_difference: maxDifference,
    min_ratio: minRatio,
    overall,
    groupings,
    violations,
    passed: violations === 0,
    elapsed_ms: 38,
    comparison,
  };
}

const FAIRNESS_REPORT = fairnessReport({
  id: 3,
  path: FAIRNESS_PATH,
  cells: FAIRNESS_CELLS,
  earlier: { path: FAIRNESS_EARLIER, cells: FAIRNESS_EARLIER_CELLS },
  bootstrap: true,
});

const fairnessColumn = (name, dtype, kind, distinct, values) => ({ name, dtype, kind, distinct, values });
const FAIRNESS_COLUMNS = {
  [FAIRNESS_PATH]: {
    path: FAIRNESS_PATH,
    rows: FAIRNESS_REPORT.data.rows,
    columns: [
      fairnessColumn('id', 'i64', 'numerical', FAIRNESS_REPORT.data.rows, null),
      fairnessColumn('label', 'i64', 'boolean', 2, ['0', '1']),
      fairnessColumn('prediction', 'i64', 'boolean', 2, ['0', '1']),
      fairnessColumn('score', 'f64', 'numerical', 793, null),
      fairnessColumn('sex', 'str', 'categorical', 2, ['F', 'M']),
      fairnessColumn('age_group', 'str', 'categorical', 4, ['18-29', '30-44', '45-59', '60+']),
    ],
    guess: { label: 'label', prediction: 'prediction', positive_label: '1', score: false, sensitive: ['sex', 'age_group'] },
  },
  // A label with three classes: the engine refuses it when the check runs.
  '/home/ana/data/multiclass.csv': {
    path: '/home/ana/data/multiclass.csv',
    rows: 500,
    columns: [
      fairnessColumn('label', 'i64', 'categorical', 3, ['0', '1', '2']),
      fairnessColumn('prediction', 'i64', 'categorical', 3, ['0', '1', '2']),
      fairnessColumn('sex', 'str', 'categorical', 2, ['F', 'M']),
    ],
    guess: { label: 'label', prediction: 'prediction', positive_label: '1', score: false, sensitive: ['sex'] },
  },
};

const PREDICTIONS_DATASET = {
  id: 3,
  project: 'fraud-detection',
  path: 'data/predictions_2026-03.csv',
  absolute_path: FAIRNESS_PATH,
  format: 'csv',
  rows: FAIRNESS_REPORT.data.rows,
  bytes: 22_400,
  hash: 'c0ffee12',
  columns: 0,
  schema: [],
};

describe('Driftdeck UI in Chromium (mocked IPC)', () => {
  const app = useBrowser();

  /** A fresh page on the app with the given backend; fails the test on page errors. */
  async function openApp(
    t,
    {
      projects = PROJECTS,
      dialogPath = null,
      addErrors = {},
      listFailures = 0,
      colorScheme = 'light',
      runs = RUNS,
      generateRuns = 0,
      datasets = DATASETS,
      models = MODELS,
      problems = [],
      savePath = null,
      drift = {},
      fairness = {},
      info = INFO,
      settings = {},
      settingsError = null,
      catalogs = {},
    } = {},
  ) {
    const setup = {
      info,
      settings,
      settingsError,
      catalogs,
      projects,
      dialogPath,
      addErrors,
      listFailures,
      runs,
      generateRuns,
      datasets,
      models,
      problems,
      savePath,
      drift: { methods: DRIFT_METHODS, report: DRIFT_REPORT, error: null, ...drift },
      fairness: { columns: FAIRNESS_COLUMNS, report: FAIRNESS_REPORT, error: null, ...fairness },
    };
    const page = await openPage(t, app.browser, app.origin, setup, { colorScheme });
    // Ready: app_info answered, the first project list arrived and chose where the app opens.
    await page.getByTestId('app-version').filter({ hasText: INFO.version }).waitFor();
    await page.getByTestId('loading').waitFor({ state: 'detached' });
    await page.getByTestId('sidebar').locator('[aria-current="page"]').waitFor();
    return page;
  }

  /**
   * Lets the mocked comparison or check (`kind`: drift or fairness) finish; resolves to its
   * verdict once that is shown and `progress` is gone.
   */
  async function finishWithVerdict(page, kind, progress) {
    await page.evaluate((k) => window.__mock[k].finish(), kind);
    const verdict = page.getByTestId(`${kind}-verdict`);
    await verdict.waitFor();
    await progress.waitFor({ state: 'detached' });
    return verdict;
  }

  /** Shows `view` from the sidebar; resolves to its rows (test id `row`) once the first is there. */
  async function openRows(page, view, row) {
    await page.getByTestId(`nav-${view}`).click();
    const rows = page.getByTestId(row);
    await rows.first().waitFor();
    return rows;
  }

  /** Clicks the sort button of column `key` and waits until its header says `direction`. */
  async function sortBy(page, key, direction) {
    await page.getByTestId(`sort-${key}`).click();
    await page.waitForFunction(
      ([k, d]) => document.querySelector(`[aria-sort="${d}"] [data-testid="sort-${k}"]`),
      [key, direction],
    );
  }

  /** Shows the Projects view (the app opens on Runs when there are projects). */
  async function openProjects(page) {
    await page.getByTestId('nav-projects').click();
    await page.getByTestId('view-projects').waitFor();
  }

  test('the layout renders: sidebar with all seven views and Settings, status bar with catalog and version', async (t) => {
    const page = await openApp(t);
    const sidebar = page.getByTestId('sidebar');
    for (const id of VIEW_IDS) {
      assert.equal(await sidebar.getByTestId(`nav-${id}`).count(), 1, `nav-${id}`);
    }
    assert.deepEqual(
      (await sidebar.locator('[data-testid^="nav-"]').allInnerTexts()).map((s) => s.trim()),
      ['Projects', 'Runs', 'Charts', 'Datasets', 'Compare', 'Fairness', 'Models', 'Settings'],
    );
    // With projects in the catalog, the app opens on their runs.
    assert.equal(await page.getByTestId('nav-runs').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), null);

    const status = page.getByTestId('status-bar');
    const text = await status.innerText();
    assert.match(text, /\/home\/ana\/\.local\/share\/driftdeck\/catalog\.sqlite/);
    assert.match(text, /Driftdeck 0\.1\.0/);
    assert.match(text, /2 projects/);
  });

  test('projects from list_projects render as rows, sorted, with the missing and not-watched badges', async (t) => {
    const page = await openApp(t);
    await openProjects(page);
    const rows = page.getByTestId('project-row');
    assert.equal(await rows.count(), 2);
    assert.deepEqual(await rows.getByTestId('project-name').allInnerTexts(), ['churn', 'fraud-detection']);

    const churn = rows.filter({ hasText: 'churn' });
    assert.match(await churn.innerText(), /\/home\/ana\/work\/churn/);
    assert.equal(await churn.getByTestId('missing-badge').count(), 1);
    assert.equal(await churn.getByTestId('unwatched-badge').count(), 0);
    const fraud = rows.filter({ hasText: 'fraud-detection' });
    assert.match(await fraud.innerText(), /\/home\/ana\/work\/fraud-detection/);
    assert.equal(await fraud.getByTestId('missing-badge').count(), 0);
    assert.equal(await fraud.getByTestId('unwatched-badge').innerText(), 'Not watched');
    assert.equal(await page.getByTestId('empty-state').count(), 0);
  });

  test('the empty state says what to do when there are no projects (no demo installed: no demo button)', async (t) => {
    const page = await openApp(t, { projects: [] });
    assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), 'page', 'an empty catalog opens on Projects');
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    const text = await empty.innerText();
    assert.match(text, /No projects yet/);
    assert.match(text, /Add a project folder/);
    assert.match(text, /or drag a folder anywhere onto the window/);
    // One Add folder… button, in the empty state with the other ways to start.
    assert.equal(await page.getByTestId('add-folder').innerText(), 'Add folder…');
    assert.equal(await empty.getByTestId('add-folder').count(), 1);
    assert.equal(await page.getByTestId('open-demo').count(), 0);
    assert.equal(await page.getByTestId('project-row').count(), 0);
    assert.match(await page.getByTestId('status-bar').innerText(), /0 projects/);
  });

  test('"Add folder…" opens the folder picker and adds the chosen folder', async (t) => {
    const picked = '/home/ana/work/credit-scoring';
    const page = await openApp(t, { projects: [], dialogPath: picked });
    await page.getByTestId('add-folder').click();

    const row = page.getByTestId('project-row').filter({ hasText: 'credit-scoring' });
    await row.waitFor();
    assert.match(await row.innerText(), /\/home\/ana\/work\/credit-scoring/);
    assert.deepEqual(await calls(page, 'plugin:dialog|open'), [{ options: { directory: true, multiple: false } }]);
    assert.deepEqual(await calls(page, 'add_project'), [{ path: picked }]);
    assert.equal(await page.getByTestId('empty-state').count(), 0);
    assert.match(await page.getByTestId('status-bar').innerText(), /1 project\b/);
  });

  test('cancelling the folder picker adds nothing', async (t) => {
    const page = await openApp(t, { dialogPath: null });
    await openProjects(page);
    await page.getByTestId('add-folder').click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'plugin:dialog|open'));
    await page.getByTestId('add-folder').and(page.locator(':enabled')).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), []);
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });

  test('a refused add shows the error banner with message and code, and it can be dismissed', async (t) => {
    const bad = '/home/ana/notes.txt';
    const message = 'project folder /home/ana/notes.txt is not a directory';
    const page = await openApp(t, {
      dialogPath: bad,
      addErrors: { [bad]: { code: 'bad_input', message } },
    });
    await openProjects(page);
    await page.getByTestId('add-folder').click();

    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-message').innerText(), message);
    assert.equal(await banner.getByTestId('error-code').innerText(), 'bad_input');
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.equal(await page.getByTestId('project-row').count(), 2);
    await screenshot(page, 'error-banner');

    await banner.getByTestId('error-dismiss').click();
    await banner.waitFor({ state: 'detached' });
  });

  test('a catalog that cannot be read shows the error, no empty state, and a retry', async (t) => {
    const page = await openApp(t, { listFailures: 1 });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-code').innerText(), 'catalog');
    assert.equal(await page.getByTestId('empty-state').count(), 0);

    await page.getByTestId('load-failed').getByRole('button', { name: 'Try again' }).click();
    await page.getByTestId('project-row').first().waitFor();
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });

  test('dropping folders on the window shows the overlay while dragging, then adds each one', async (t) => {
    const page = await openApp(t, { projects: [] });
    // Wait for the drag-drop subscription (onDragDropEvent listens to four events).
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);

    await page.evaluate(() =>
      window.__mock.emit('tauri://drag-enter', { paths: ['/data/a'], position: { x: 200, y: 200 } }),
    );
    await page.getByTestId('drop-overlay').waitFor();
    await screenshot(page, 'drop-overlay');

    const delivered = await page.evaluate(() =>
      window.__mock.emit('tauri://drag-drop', {
        paths: ['/data/images-2026', '/data/sensor-logs'],
        position: { x: 200, y: 200 },
      }),
    );
    assert.equal(delivered, 1);
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    await page.getByTestId('project-row').nth(1).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), [{ path: '/data/images-2026' }, { path: '/data/sensor-logs' }]);
    assert.deepEqual(await page.getByTestId('project-name').allInnerTexts(), ['images-2026', 'sensor-logs']);
  });

  test('a drag that leaves the window hides the overlay and adds nothing', async (t) => {
    const page = await openApp(t);
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-leave') === 1);
    await page.evaluate(() => window.__mock.emit('tauri://drag-over', { position: { x: 5, y: 5 } }));
    await page.getByTestId('drop-overlay').waitFor();
    await page.evaluate(() => window.__mock.emit('tauri://drag-leave', null));
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    assert.deepEqual(await calls(page, 'add_project'), []);
  });

  test('Remove takes a project off the list', async (t) => {
    const page = await openApp(t);
    await openProjects(page);
    await page.getByTestId('project-row').filter({ hasText: 'churn' }).getByTestId('remove-project').click();
    await page.getByTestId('project-row').filter({ hasText: 'churn' }).waitFor({ state: 'detached' });
    assert.deepEqual(await calls(page, 'remove_project'), [{ id: 2 }]);
    assert.equal(await page.getByTestId('project-row').count(), 1);
    assert.match(await page.getByTestId('status-bar').innerText(), /1 project\b/);
  });

  test('navigation shows each view and what it will hold', async (t) => {
    const page = await openApp(t, { colorScheme: 'dark' });
    await page.getByTestId('nav-compare').click();
    const compare = page.getByTestId('view-compare');
    await compare.waitFor();
    assert.match(await compare.innerText(), /drift/i);
    assert.doesNotMatch(await compare.innerText(), /arrives with/);
    await screenshot(page, 'compare-dark');
    assert.equal(await page.getByTestId('nav-compare').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), null);
    assert.equal(await page.getByTestId('view-projects').count(), 0);

    await page.getByTestId('nav-fairness').click();
    const fairness = page.getByTestId('view-fairness');
    await fairness.waitFor();
    assert.match(await fairness.innerText(), /predictions/i);
    assert.doesNotMatch(await fairness.innerText(), /arrives with/);

    // Runs, Datasets and Models hold what the catalog has.
    for (const [id, rows] of [
      ['runs', 'run-row'],
      ['datasets', 'dataset-row'],
      ['models', 'model-row'],
    ]) {
      await page.getByTestId(`nav-${id}`).click();
      await page.getByTestId(rows).first().waitFor();
      assert.doesNotMatch(await page.getByTestId(`view-${id}`).innerText(), /arrives with/);
    }

    await page.getByTestId('nav-projects').click();
    await page.getByTestId('view-projects').waitFor();
    assert.equal(await page.getByTestId('project-row').count(), 2);
  });
  /** Opens the Runs view and waits for its first list. */
  async function openRuns(page) {
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-count').filter({ hasText: /\d+ of \d+/ }).waitFor();
  }

  /** The rows of the runs table, top to bottom: group headers as "# name", runs by name. */
  const tableLines = (page) =>
    page.getByTestId('runs-table').evaluate((table) =>
      [...table.querySelectorAll('[data-testid="group-row"], [data-testid="run-row"]')].map((row) =>
        row.dataset.testid === 'group-row'
          ? `# ${row.querySelector('[data-testid="group-name"]').textContent.replace(/\s+/g, ' ').trim()}`
          : row.querySelector('[data-testid="run-name"]').textContent.trim(),
      ),
    );

  test('runs render grouped by project and experiment, groups collapse, badges show status', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    assert.equal(await page.getByTestId('runs-count').innerText(), '5 of 5 runs');
    assert.deepEqual(await tableLines(page), [
      '# churn › churn-exp',
      'abc123def',
      '# churn › (no experiment)',
      'logreg',
      '# fraud-detection › baseline',
      'gbm-b',
      'gbm-a',
      '# fraud-detection › tuning',
      'rf-1',
    ]);
    const rows = page.getByTestId('run-row');
    assert.equal(await rows.filter({ hasText: 'gbm-b' }).getByTestId('status-badge').getAttribute('data-status'), 'FAILED');
    assert.equal(await rows.filter({ hasText: 'rf-1' }).locator('.dot').count(), 1, 'running dot');
    assert.match(await rows.filter({ hasText: 'logreg' }).getAttribute('class'), /\bdeleted\b/);
    // Default columns: the four most common metrics.
    for (const key of ['auc', 'loss', 'f1', 'acc']) {
      assert.equal(await page.getByTestId(`sort-metrics.${key}`).count(), 1, key);
    }
    assert.equal(await page.getByTestId('sort-metrics.val/auc').count(), 0);
    // NaN is shown as such, a missing value as nothing.
    assert.match(await rows.filter({ hasText: 'gbm-b' }).innerText(), /NaN/);

    await page.locator('[data-testid="group-row"]', { hasText: 'baseline' }).click();
    await rows.filter({ hasText: 'gbm-a' }).waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 3);
    await page.locator('[data-testid="group-row"]', { hasText: 'baseline' }).click();
    await rows.filter({ hasText: 'gbm-a' }).waitFor();

    await page.getByTestId('grouping').selectOption('none');
    await page.getByTestId('group-row').first().waitFor({ state: 'detached' });
    assert.equal(await rows.count(), 5);
  });

  test('sorting by a metric orders numerically, missing values and NaN last both ways', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('grouping').selectOption('none');
    await sortBy(page, 'metrics.auc', 'ascending');
    assert.deepEqual(await tableLines(page), ['logreg', 'gbm-b', 'gbm-a', 'rf-1', 'abc123def']);
    await sortBy(page, 'metrics.auc', 'descending');
    assert.deepEqual(await tableLines(page), ['rf-1', 'gbm-a', 'gbm-b', 'logreg', 'abc123def']);
    // f1: gbm-a 0.7, gbm-b NaN, the rest missing.
    await sortBy(page, 'metrics.f1', 'ascending');
    assert.deepEqual((await tableLines(page)).slice(0, 2), ['gbm-a', 'gbm-b']);
  });

  test('a filter applies while typing; a bad one shows the message under the box, not the banner', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    const input = page.getByTestId('filter-input');
    await input.fill('params.model = "gbm"');
    // No Enter: the pause after typing applies it.
    await page.getByTestId('runs-count').filter({ hasText: '2 of 5 runs' }).waitFor();
    assert.deepEqual(
      (await calls(page, 'list_runs')).at(-1),
      { projectId: null, filter: 'params.model = "gbm"' },
    );
    assert.equal(await page.getByTestId('run-row').count(), 2);

    await input.fill('metrics.auc >');
    await input.press('Enter');
    const error = page.getByTestId('filter-error');
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /invalid filter at column 1/);
    assert.match(text, /\n\s*metrics\.auc >\n\s*\^/, 'the caret line under the input');
    assert.equal(await error.evaluate((e) => getComputedStyle(e).fontFamily.includes('mono')), true);
    assert.equal(await page.getByTestId('error-banner').count(), 0);

    await input.fill('metrics.auc > 0.9');
    await input.press('Enter');
    await error.waitFor({ state: 'detached' });
    await page.getByTestId('runs-count').filter({ hasText: '2 of 5 runs' }).waitFor();
    assert.deepEqual((await page.getByTestId('run-name').allInnerTexts()).sort(), ['gbm-a', 'rf-1']);
  });

  test('the project picker asks for one project', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('project-picker').selectOption({ label: 'churn' });
    await page.getByTestId('runs-count').filter({ hasText: '2 of 2 runs' }).waitFor();
    assert.deepEqual((await calls(page, 'list_runs')).at(-1), { projectId: 2, filter: null });
  });

  test('the column chooser adds a param column, and the choice is remembered', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('column-chooser').click();
    await page.getByTestId('column-chooser-search').fill('optim');
    const popover = page.getByTestId('column-chooser-popover');
    assert.deepEqual(await popover.locator('input[type="checkbox"]').evaluateAll((boxes) => boxes.map((b) => b.dataset.key)), [
      'params.optimizer',
    ]);
    await popover.locator('input[data-key="params.optimizer"]').check();
    const header = page.getByTestId('sort-params.optimizer');
    await header.waitFor();
    assert.match(await page.getByTestId('run-row').filter({ hasText: 'gbm-b' }).innerText(), /\bsgd\b/);

    await page.reload();
    await openRuns(page);
    await header.waitFor();
    assert.equal(await page.getByTestId('sort-metrics.auc').count(), 1, 'the defaults are kept with it');
  });

  test('the table groups runs by any param or tag, runs without it last', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('grouping').selectOption('params.model');
    const groups = page.getByTestId('group-row');
    await groups.filter({ hasText: 'model = gbm' }).waitFor();
    const lines = await tableLines(page);
    const gbm = lines.indexOf('# model = gbm');
    assert.ok(gbm >= 0, lines.join('\n'));
    assert.deepEqual(lines.slice(gbm + 1, gbm + 3).sort(), ['gbm-a', 'gbm-b']);
    assert.match(await groups.filter({ hasText: 'model = gbm' }).innerText(), /2 runs/);
    const headers = lines.filter((l) => l.startsWith('# '));
    const none = headers.indexOf('# model = (none)');
    assert.ok(none === -1 || none === headers.length - 1, 'runs without the param come last');
    // A group collapses like an experiment's.
    await groups.filter({ hasText: 'model = gbm' }).click();
    await page.getByTestId('run-row').filter({ hasText: 'gbm-a' }).waitFor({ state: 'detached' });
  });

  test('10,000 runs: only the rows in view are in the DOM, and scrolling reaches the last one', async (t) => {
    const page = await openApp(t, { generateRuns: 10_000 });
    await openRuns(page);
    assert.equal(await page.getByTestId('runs-count').innerText(), '10,000 of 10,000 runs');
    const inDom = await page.getByTestId('run-row').count();
    assert.ok(inDom > 5 && inDom < 100, `${inDom} rows in the DOM`);
    // Newest first: the oldest run is the last row.
    assert.equal(await page.getByTestId('run-name').first().innerText(), 'gen-09999');

    const table = page.getByTestId('runs-table');
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const last = page.getByTestId('run-row').filter({ hasText: 'gen-00000' });
    await last.waitFor();
    const [box, rowBox] = [await table.boundingBox(), await last.boundingBox()];
    assert.ok(rowBox.y >= box.y && rowBox.y + rowBox.height <= box.y + box.height + 1, 'the last run is in view');
    assert.ok((await page.getByTestId('run-row').count()) < 100);
    assert.equal(await page.getByTestId('run-row').filter({ hasText: 'gen-09999' }).count(), 0);

    // Halfway down shows the runs there, and the rows line up with the scroll position.
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await page.getByTestId('run-row').filter({ hasText: /gen-050\d\d/ }).first().waitFor();
  });

  test('select two runs, compare them: only differences by default, charts as data: images', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    const compare = page.getByTestId('compare-button');
    assert.equal(await compare.isDisabled(), true);
    const rows = page.getByTestId('run-row');
    await rows.filter({ hasText: 'gbm-b' }).getByTestId('run-select').click();
    await rows.filter({ hasText: 'gbm-a' }).getByTestId('run-select').click();
    await compare.and(page.locator(':enabled')).waitFor();
    assert.match(await compare.innerText(), /Compare 2/);
    await compare.click();

    const panel = page.getByTestId('compare-panel');
    await panel.getByTestId('compare-row').first().waitFor();
    assert.deepEqual(await calls(page, 'compare_runs'), [{ ids: [1, 2], baseline: null }]);
    const toggle = panel.getByTestId('only-differences');
    assert.equal(await toggle.isChecked(), true);
    const keys = () => panel.getByTestId('compare-row').evaluateAll((rs) => rs.map((r) => r.dataset.key));
    const shown = await keys();
    assert.ok(shown.includes('params.lr') && shown.includes('metrics.auc') && shown.includes('status'));
    assert.ok(!shown.includes('params.model') && !shown.includes('project'), 'equal rows are hidden');
    assert.match(await panel.locator('[data-key="params.lr"]').getAttribute('class'), /\bdiffers\b/);

    await toggle.uncheck();
    await panel.locator('[data-key="params.model"]').waitFor();
    assert.ok((await keys()).includes('project'));

    // Difference view: each number against the baseline (the first run), then against another.
    const aucCells = panel.locator('[data-key="metrics.auc"] [data-testid="compare-cell"]');
    assert.equal(await aucCells.nth(0).getByTestId('delta').count(), 0, 'the baseline has no difference');
    assert.equal(await aucCells.nth(1).getByTestId('delta').innerText(), '−0.06 −6.6%');
    assert.equal(await panel.locator('[data-key="params.lr"] [data-testid="delta"]').innerText(), '−0.05 −50.0%');
    assert.equal(await panel.locator('[data-key="params.optimizer"] [data-testid="delta"]').count(), 0, 'text has no difference');
    await panel.getByTestId('baseline').selectOption('2');
    await panel.locator('[data-testid="compare-run"].baseline-col', { hasText: 'gbm-b' }).waitFor();
    assert.deepEqual((await calls(page, 'compare_runs')).at(-1), { ids: [1, 2], baseline: 2 });
    assert.equal(await aucCells.nth(0).getByTestId('delta').innerText(), '+0.06 +7.1%');
    assert.equal(await aucCells.nth(1).getByTestId('delta').count(), 0);

    // Charts: the metrics both runs have (acc and val/auc only one has), drawn from every point.
    const charts = panel.getByTestId('interactive-chart');
    await charts.nth(2).locator('canvas').waitFor();
    assert.deepEqual(await charts.evaluateAll((cs) => cs.map((c) => c.dataset.metric)), ['auc', 'f1', 'loss']);
    const request = (await calls(page, 'chart_data')).find((c) => c.request.key === 'auc').request;
    assert.deepEqual(request.run_ids, [1, 2]);
    assert.equal(request.x, 'step');
    assert.equal(request.smoothing, 'none');
    assert.equal(request.group_by, null);
    assert.deepEqual(await charts.first().locator('.legend li').allInnerTexts(), ['gbm-a', 'gbm-b']);
    assert.equal(await charts.first().getByTestId('chart-points').innerText(), '100 points');

    // Back to the table: the selection is kept.
    await panel.getByTestId('compare-back').click();
    await rows.first().waitFor();
    assert.equal(await page.locator('[data-testid="run-row"].selected').count(), 2);
  });

  test('shift-click selects a range; clicking a run opens its detail', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('grouping').selectOption('none');
    await sortBy(page, 'name', 'ascending');
    const rows = page.getByTestId('run-row');
    assert.deepEqual(await tableLines(page), ['abc123def', 'gbm-a', 'gbm-b', 'logreg', 'rf-1']);
    await rows.nth(1).getByTestId('run-select').click();
    await rows.nth(3).getByTestId('run-select').click({ modifiers: ['Shift'] });
    await page.getByTestId('compare-button').filter({ hasText: 'Compare 3' }).waitFor();
    assert.deepEqual(
      await page.locator('[data-testid="run-row"].selected [data-testid="run-name"]').allInnerTexts(),
      ['gbm-a', 'gbm-b', 'logreg'],
    );

    await rows.filter({ hasText: 'rf-1' }).getByTestId('run-name').click();
    const panel = page.getByTestId('compare-panel');
    await panel.getByRole('heading', { name: 'rf-1' }).waitFor();
    assert.equal(await panel.getByTestId('only-differences').count(), 0);
    await panel.locator('[data-key="params.model"]').waitFor();
    await panel.getByTestId('interactive-chart').nth(1).locator('canvas').waitFor();
  });

  test('charts are drawn again in the other colours when the system theme changes', async (t) => {
    const page = await openApp(t, { colorScheme: 'light' });
    await openRuns(page);
    await page.getByTestId('run-row').filter({ hasText: 'gbm-a' }).click();
    const chart = page.getByTestId('interactive-chart').first();
    await chart.locator('canvas').waitFor();
    await page.locator('[data-testid="interactive-chart"][data-dark="false"]').first().waitFor();
    const loads = (await calls(page, 'chart_data')).length;

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-testid="interactive-chart"][data-dark="true"]').first().waitFor();
    assert.equal((await calls(page, 'chart_data')).length, loads, 'redrawn from the data it has, not asked again');
  });

  /** The runs gbm-a and gbm-b side by side, with the charts drawn; resolves to the panel. */
  async function compareTwo(page) {
    await openRuns(page);
    const rows = page.getByTestId('run-row');
    await rows.filter({ hasText: 'gbm-a' }).getByTestId('run-select').click();
    await rows.filter({ hasText: 'gbm-b' }).getByTestId('run-select').click();
    await page.getByTestId('compare-button').filter({ hasText: 'Compare 2' }).click();
    const panel = page.getByTestId('compare-panel');
    await panel.getByTestId('interactive-chart').first().locator('canvas').waitFor();
    return panel;
  }

  /** The mock's value of metric `final` of run `id` at `step` (harness.mjs `history`, 50 points). */
  const mockValue = (final, id, step) => final + (0.5 * (49 - step)) / 49 + 0.01 * id + (id === 2 && step === 10 ? 5 : 0);
  const shown = (v) => String(Number(v.toPrecision(6)));

  /** The plotting area of a chart: where the pointer hovers, drags and clicks. */
  async function plotBox(chart) {
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.locator('.u-over').boundingBox();
    assert.ok(box && box.width > 100, 'the plot is laid out');
    return box;
  }

  test('hovering a chart shows every run’s logged value at the nearest step', async (t) => {
    const page = await openApp(t);
    const panel = await compareTwo(page);
    const chart = panel.locator('[data-testid="interactive-chart"][data-metric="auc"]');
    const box = await plotBox(chart);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tooltip = chart.getByTestId('chart-tooltip');
    await tooltip.waitFor();
    const step = Number(await tooltip.getByTestId('tooltip-x').innerText());
    assert.ok(step > 15 && step < 35, `the middle of 0..49, got ${step}`);
    const rows = tooltip.getByTestId('tooltip-row');
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.name)), ['gbm-a', 'gbm-b']);
    assert.deepEqual(await rows.getByTestId('tooltip-value').allInnerTexts(), [
      shown(mockValue(0.91, 1, step)),
      shown(mockValue(0.85, 2, step)),
    ]);
    await page.mouse.move(box.x + box.width + 40, box.y - 40);
    await tooltip.waitFor({ state: 'detached' });
  });

  test('dragging zooms into a range, double-click resets, and a reload keeps the zoom', async (t) => {
    const page = await openApp(t);
    const panel = await compareTwo(page);
    const chart = panel.locator('[data-testid="interactive-chart"][data-metric="loss"]');
    assert.equal(await chart.getAttribute('data-zoomed'), 'false');
    const box = await plotBox(chart);
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.up();
    await panel.locator('[data-testid="interactive-chart"][data-metric="loss"][data-zoomed="true"]').waitFor();
    const [lo, hi] = [Number(await chart.getAttribute('data-x-min')), Number(await chart.getAttribute('data-x-max'))];
    assert.ok(lo > 8 && lo < 16 && hi > 20 && hi < 28, `zoomed to about a quarter of 0..49: ${lo}..${hi}`);
    await chart.getByText('double-click to reset').waitFor();

    // A catalog change reloads the data; the zoom stays.
    const before = (await calls(page, 'chart_data')).length;
    await page.evaluate(() => window.__mock.emit('catalog-changed', { project_id: 1, units_read: 1, units_removed: 0 }));
    await page.waitForFunction((n) => window.__mock.calls.filter((c) => c.cmd === 'chart_data').length > n, before);
    assert.equal(await chart.getAttribute('data-zoomed'), 'true');

    await page.mouse.dblclick(box.x + box.width / 2, y);
    await panel.locator('[data-testid="interactive-chart"][data-metric="loss"][data-zoomed="false"]').waitFor();
  });

  test('smoothing is asked of the engine and shown beside the raw value', async (t) => {
    const page = await openApp(t);
    const panel = await compareTwo(page);
    await panel.getByTestId('chart-smoothing').selectOption('ema');
    await panel.locator('[data-testid="interactive-chart"][data-smoothing="ema:0.6"]').first().waitFor();
    const requests = (await calls(page, 'chart_data')).map((c) => c.request);
    assert.ok(requests.some((r) => r.key === 'auc' && r.smoothing === 'ema:0.6'));
    const chart = panel.locator('[data-testid="interactive-chart"][data-metric="auc"]');
    const box = await plotBox(chart);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const row = chart.getByTestId('tooltip-row').first();
    await row.waitFor();
    assert.match(await row.locator('.tip-smoothed').innerText(), /^\d/);
    assert.notEqual(await row.locator('.tip-smoothed').innerText(), await row.getByTestId('tooltip-value').innerText());

    await panel.getByTestId('chart-log').check();
    await panel.locator('[data-testid="interactive-chart"][data-log="true"]').first().waitFor();
    await panel.getByTestId('chart-outliers').check();
    await chart.locator('canvas').waitFor();
  });

  test('grouping runs by a param draws a line and a band per group', async (t) => {
    const page = await openApp(t);
    const panel = await compareTwo(page);
    await panel.getByTestId('chart-group').selectOption('params.optimizer');
    await panel.getByTestId('chart-band').selectOption('minmax');
    const chart = panel.locator('[data-testid="interactive-chart"][data-metric="auc"][data-groups="2"]');
    await chart.waitFor();
    const request = (await calls(page, 'chart_data')).map((c) => c.request).findLast((r) => r.key === 'auc');
    assert.equal(request.group_by, 'params.optimizer');
    assert.equal(request.band, 'minmax');
    assert.deepEqual(await chart.locator('.legend li').allInnerTexts(), ['adam (1)', 'sgd (1)']);
  });

  test('a chart exports as SVG, PNG or its data as CSV; the runs table as CSV or Parquet', async (t) => {
    const page = await openApp(t);
    const panel = await compareTwo(page);
    await panel.getByTestId('chart-smoothing').selectOption('ema');
    const chart = panel.locator('[data-testid="interactive-chart"][data-metric="auc"]');
    await panel.locator('[data-testid="interactive-chart"][data-metric="auc"][data-smoothing^="ema"]').waitFor();
    await page.evaluate(() => window.__mock.setSavePath('/home/ana/auc.png'));
    await chart.getByTestId('chart-export-png').click();
    await chart.getByTestId('chart-exported').filter({ hasText: 'Saved to /home/ana/auc.png' }).waitFor();
    const dialog = (await calls(page, 'plugin:dialog|save')).at(-1);
    assert.deepEqual(dialog.options, { defaultPath: 'auc.png', filters: [{ name: 'PNG', extensions: ['png'] }] });
    const sent = (await calls(page, 'export_chart')).at(-1);
    assert.equal(sent.path, '/home/ana/auc.png');
    assert.equal(sent.chart.format, 'png');
    assert.equal(sent.chart.request.key, 'auc');
    assert.deepEqual(sent.chart.request.run_ids, [1, 2]);
    assert.match(sent.chart.request.smoothing, /^ema:/, 'the chart exports as it is drawn');
    for (const format of ['svg', 'csv']) {
      await chart.getByTestId(`chart-export-${format}`).click();
      await page.waitForFunction((f) => window.__mock.calls.filter((c) => c.cmd === 'export_chart').at(-1).args.chart.format === f, format);
    }
    // Cancelling the dialog writes nothing.
    const before = (await calls(page, 'export_chart')).length;
    await page.evaluate(() => window.__mock.setSavePath(null));
    await chart.getByTestId('chart-export-svg').click();
    await page.waitForFunction((n) => window.__mock.calls.filter((c) => c.cmd === 'plugin:dialog|save').length === n + 1, before);
    assert.equal((await calls(page, 'export_chart')).length, before);

    // The runs table, as filtered and sorted on screen.
    await panel.getByTestId('compare-back').click();
    await page.getByTestId('filter-input').fill('params.optimizer = "adam"');
    await page.getByTestId('filter-input').press('Enter');
    await page.getByTestId('runs-count').filter({ hasText: /^1 of/ }).waitFor();
    await page.evaluate(() => window.__mock.setSavePath('/home/ana/runs.parquet'));
    await page.getByTestId('runs-export-parquet').click();
    await page.getByTestId('runs-exported').filter({ hasText: '/home/ana/runs.parquet' }).waitFor();
    const table = (await calls(page, 'export_runs')).at(-1);
    assert.equal(table.path, '/home/ana/runs.parquet');
    assert.equal(table.table.format, 'parquet');
    assert.equal(table.table.filter, 'params.optimizer = "adam"');
  });

  test('the Charts view charts every metric, searches by text or regex, pins, and saves a view', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('nav-charts').click();
    const view = page.getByTestId('charts-view');
    const cells = view.getByTestId('chart-cell');
    await cells.first().waitFor();
    const metrics = () => cells.evaluateAll((cs) => cs.map((c) => c.dataset.metric));
    assert.deepEqual(await metrics(), ['acc', 'auc', 'f1', 'loss', 'val/auc']);
    await view.locator('[data-testid="interactive-chart"][data-metric="auc"] canvas').waitFor();
    assert.match(await view.getByTestId('charts-summary').innerText(), /5 runs · 5 of 5 metrics/);

    await view.getByTestId('charts-search').fill('AUC');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="chart-cell"]').length === 2);
    await view.getByTestId('charts-search').fill('/^(acc|loss)$/');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="chart-cell"]').length === 2);
    assert.deepEqual(await metrics(), ['acc', 'loss']);
    await view.getByTestId('charts-search').fill('/(/');
    await view.getByTestId('charts-search-error').waitFor();
    await view.getByTestId('charts-search').fill('');

    // Pinned charts come first.
    await cells.filter({ has: page.locator('[data-metric="loss"]') }).first().waitFor();
    await view.locator('[data-testid="chart-cell"][data-metric="loss"]').getByTestId('chart-pin').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-cell"]').dataset.metric === 'loss');

    // Saved as a view, listed in the sidebar, reopened with its settings.
    await view.getByTestId('chart-smoothing').selectOption('ema');
    await view.getByTestId('view-name').fill('loss first');
    await view.getByTestId('save-view').click();
    const saved = page.locator('[data-testid="saved-view"][data-name="loss first"]');
    await saved.waitFor();
    const spec = (await calls(page, 'save_view'))[0];
    assert.equal(spec.name, 'loss first');
    assert.deepEqual(spec.spec.charts.metrics, ['loss']);
    assert.equal(spec.spec.charts.smoothing, 'ema:0.6');

    await view.getByTestId('chart-smoothing').selectOption('none');
    await view.locator('[data-testid="chart-cell"][data-metric="loss"]').getByTestId('chart-pin').click();
    await page.getByTestId('nav-runs').click();
    await saved.click();
    await page.getByTestId('charts-view').waitFor();
    assert.equal(await page.getByTestId('chart-smoothing').inputValue(), 'ema');
    await page.waitForFunction(() => document.querySelector('[data-testid="chart-cell"]').dataset.metric === 'loss');
  });

  test('a sweep draws parallel coordinates; brushing an axis narrows the Runs table', async (t) => {
    const page = await openApp(t);
    await openRuns(page);
    await page.getByTestId('nav-charts').click();
    await page.getByTestId('sweep-toggle').click();
    const panel = page.getByTestId('sweep-panel');
    await panel.getByTestId('sweep-metric').selectOption('auc');
    const svg = panel.getByTestId('parallel-coordinates');
    await svg.waitFor();
    const request = (await calls(page, 'sweep')).at(-1).request;
    assert.equal(request.metric, 'auc');
    const keys = await panel.getByTestId('sweep-axis').evaluateAll((as) => as.map((a) => `${a.dataset.key}:${a.dataset.kind}`));
    assert.equal(keys.at(-1), 'metrics.auc:numeric', 'the metric is the last axis');
    assert.ok(keys.includes('params.model:categorical'), keys.join(' '));
    const lines = panel.getByTestId('sweep-line');
    const all = await lines.count();
    assert.ok(all >= 3);
    assert.equal(await panel.getByTestId('sweep-point').count() > 0, true, 'the scatter has points');

    // Brush the top of the metric axis: only the runs with the highest auc stay.
    const area = panel.locator('[data-testid="sweep-axis"][data-key="metrics.auc"] [data-testid="sweep-brush-area"]');
    const box = await area.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 1);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2, { steps: 4 });
    await page.mouse.up();
    const axis = panel.locator('[data-testid="sweep-axis"][data-key="metrics.auc"]');
    const lo = Number(await axis.getAttribute('data-brush-lo'));
    const kept = await lines.evaluateAll((ls) => ls.filter((l) => l.dataset.kept === 'true').map((l) => Number(l.dataset.run)));
    assert.ok(kept.length >= 1 && kept.length < all, `kept ${kept.length} of ${all}`);
    const aucs = Object.fromEntries(RUNS.map((r) => [r.id, r.metrics.auc]));
    for (const id of kept) assert.ok(aucs[id] >= lo, `run ${id} auc ${aucs[id]} ≥ ${lo}`);
    await panel.getByTestId('sweep-summary').filter({ hasText: `${kept.length} of` }).waitFor();

    // The Runs table shows the brushed runs only, until cleared.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('brushed-note').waitFor();
    assert.equal(await page.getByTestId('run-row').count(), kept.length);
    await page.getByTestId('brushed-clear').click();
    await page.getByTestId('brushed-note').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('run-row').count(), RUNS.length);
  });

  test('a run with thousands of metrics draws only the charts on screen', async (t) => {
    const metrics = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`m${String(i).padStart(4, '0')}`, i / 3000]));
    const page = await openApp(t, { runs: [run(1, 1, { name: 'wide', metrics })] });
    await openRuns(page);
    await page.getByTestId('nav-charts').click();
    const view = page.getByTestId('charts-view');
    await view.locator('[data-testid="interactive-chart"] canvas').first().waitFor();
    assert.equal(await view.getByTestId('chart-cell').count(), 3000);
    const drawn = await view.getByTestId('interactive-chart').count();
    assert.ok(drawn > 0 && drawn < 40, `charts drawn: ${drawn}`);
    await view.locator('[data-testid="chart-cell"][data-metric="m2990"]').scrollIntoViewIfNeeded();
    await view.locator('[data-testid="interactive-chart"][data-metric="m2990"] canvas').waitFor();
    assert.equal(await view.locator('[data-testid="interactive-chart"][data-metric="m0000"]').count(), 0, 'far charts are let go');
  });

  test('a dataset opens as its profile: histogram for numbers, top values for categories', async (t) => {
    const page = await openApp(t);
    const rows = await openRows(page, 'datasets', 'dataset-row');
    assert.equal(await rows.count(), 2);
    const train = rows.filter({ hasText: 'data/train.csv' });
    const cells = await train.locator('td').allInnerTexts();
    assert.deepEqual(cells.map((c) => c.trim()), ['data/train.csv', 'fraud-detection', 'csv', '1,000', '6', '52 KB', '8.5%']);

    await train.click();
    const profile = page.getByTestId('dataset-profile');
    await profile.waitFor();
    const amount = profile.getByTestId('profile-column').filter({ hasText: 'amount' });
    const bars = amount.getByTestId('histogram').locator('rect.bar');
    assert.equal(await bars.count(), 5);
    const heights = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    assert.ok(heights[0] > heights[1] && heights[1] > heights[4] && heights[4] > 0, `bar heights ${heights}`);
    assert.match(await amount.innerText(), /10 nulls\s*\(1%\)/);
    assert.match(await amount.innerText(), /mean\s*120\.3/);

    const country = profile.getByTestId('profile-column').filter({ hasText: 'country' });
    assert.match(await country.getByTestId('top-values').innerText(), /DE\s*600\s*60%/);
    // The malformed profile shows no histogram and breaks nothing.
    assert.equal(await profile.getByTestId('profile-column').filter({ hasText: 'odd' }).getByTestId('histogram').count(), 0);

    await profile.getByTestId('profile-back').click();
    await rows.first().waitFor();
  });

  test('a model shows its details as a list and links to its runs and datasets', async (t) => {
    const page = await openApp(t);
    const rows = await openRows(page, 'models', 'model-row');
    assert.equal(await rows.count(), 2);
    const registered = page.getByTestId('registered-model');
    assert.match(await registered.innerText(), /fraud-gbm/);
    assert.equal(await registered.getByTestId('alias-badge').innerText(), '@champion → v2');

    await rows.filter({ hasText: 'mlruns/1/r-1/artifacts/model' }).click();
    const details = page.getByTestId('model-details');
    await details.waitFor();
    const tree = await details.getByTestId('model-details-tree').innerText();
    assert.match(tree, /Mlflow version\s+2\.16\.0/);
    assert.match(tree, /sklearn_version\s+1\.5\.0/);
    assert.doesNotMatch(tree, /[{}"]/, 'no raw JSON');
    assert.match(await details.innerText(), /Registered as\s+fraud-gbm v2/i);

    await details.getByTestId('lineage-dataset').filter({ hasText: 'data/train.csv' }).click();
    await page.getByTestId('dataset-profile').waitFor();
    assert.equal(await page.getByTestId('nav-datasets').getAttribute('aria-current'), 'page');

    await page.getByTestId('nav-models').click();
    await page.getByTestId('model-details').getByTestId('lineage-run').filter({ hasText: 'gbm-a' }).click();
    await page.getByTestId('compare-panel').getByRole('heading', { name: 'gbm-a' }).waitFor();
    assert.deepEqual((await calls(page, 'compare_runs')).at(-1), { ids: [1], baseline: null });
    assert.equal(await page.getByTestId('nav-runs').getAttribute('aria-current'), 'page');
  });

  test('a catalog-changed event reloads the view once per burst, keeping the selection', async (t) => {
    const page = await openApp(t);
    await page.waitForFunction(() => window.__mock.listenerCount('catalog-changed') === 1);
    await openRuns(page);
    await page.getByTestId('run-row').filter({ hasText: 'gbm-a' }).getByTestId('run-select').click();
    const before = (await calls(page, 'list_runs')).length;

    await page.evaluate(() => {
      const runs = window.__mock.runs;
      runs.push({ ...structuredClone(runs[0]), id: 99, run_id: 'r-99', name: 'gbm-new' });
      for (let i = 0; i < 3; i++) window.__mock.emit('catalog-changed', { project_id: 1, units_read: 1, units_removed: 0 });
    });
    await page.getByTestId('run-row').filter({ hasText: 'gbm-new' }).waitFor();
    assert.equal(await page.getByTestId('runs-count').innerText(), '6 of 6 runs');
    assert.equal((await calls(page, 'list_runs')).length, before + 1, 'three events, one reload');
    assert.equal(await page.locator('[data-testid="run-row"].selected').count(), 1);
  });

  test('the watcher state sent before the window listened is shown from app_info', async (t) => {
    const page = await openApp(t, {
      info: { ...INFO, activity: { state: 'watching', project_id: null, done: 2, total: 2 } },
    });
    // No catalog-activity event is ever emitted here: the status comes from app_info alone.
    await page.getByTestId('status-activity').filter({ hasText: 'Watching 2 projects' }).waitFor();
    assert.doesNotMatch(await page.getByTestId('status-bar').innerText(), /starting/i);
  });

  test('activity shows indexing progress in the status bar, warnings open a copyable list', async (t) => {
    const page = await openApp(t, { problems: PROBLEMS });
    await page.waitForFunction(() => window.__mock.listenerCount('catalog-activity') === 1);
    const activity = page.getByTestId('status-activity');

    await page.evaluate(() =>
      window.__mock.emit('catalog-activity', { state: 'reading', project_id: 1, done: 120, total: 400 }),
    );
    await activity.filter({ hasText: 'Indexing fraud-detection: reading 120/400' }).waitFor();
    assert.equal(await activity.getByTestId('status-progress').getAttribute('aria-valuenow'), '30');

    await page.evaluate(() =>
      window.__mock.emit('catalog-activity', { state: 'watching', project_id: null, done: 2, total: 2 }),
    );
    await activity.filter({ hasText: 'Watching 2 projects' }).waitFor();
    assert.equal(await activity.getByTestId('status-progress').count(), 0);

    await page.evaluate(() =>
      window.__mock.emit('catalog-warning', { project_id: 2, message: 'file watching is off: polling every 2 s' }),
    );
    const warnings = page.getByTestId('status-warnings');
    await warnings.filter({ hasText: '1 warning' }).waitFor();
    await warnings.click();
    assert.equal(
      await page.getByTestId('warnings-panel').getByTestId('warning-message').innerText(),
      'churn: file watching is off: polling every 2 s',
    );

    const problems = page.getByTestId('problems-count');
    assert.equal(await problems.innerText(), '1 problem');
    await problems.click();
    const row = page.getByTestId('problem-row');
    await row.waitFor();
    assert.match(await row.innerText(), /churn[\s\S]*mlruns\/0\/bad\/meta\.yaml[\s\S]*mlflow[\s\S]*expected a mapping at line 3/);
    assert.equal(await row.getByTestId('problem-message').evaluate((e) => getComputedStyle(e).userSelect), 'text');
  });
  /** Opens the Compare view and waits for the drop subscription and the method list. */
  async function openCompare(page) {
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('view-compare').waitFor();
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);
    await page.getByTestId('option-method').locator('option[value="ks"]').waitFor({ state: 'attached' });
  }

  /** The centre of an element, in CSS pixels (the mocked window's device pixel ratio is 1). */
  async function centreOf(locator) {
    const box = await locator.boundingBox();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  const driftRowNames = (page) =>
    page.getByTestId('drift-row').evaluateAll((rows) => rows.map((r) => r.dataset.column));

  const REF = '/home/ana/data/ref_800.csv';
  const CUR = '/home/ana/data/cur_800.parquet';

  test('compare: two dropped files, progress, the verdict, sorting, a column\'s details and exports', async (t) => {
    const savePath = '/home/ana/reports/drift.html';
    const page = await openApp(t, { savePath });
    await openCompare(page);
    const method = page.getByTestId('option-method');
    assert.equal(await method.locator('option').count(), DRIFT_METHODS.length + 1);
    assert.equal(await method.locator('option').first().innerText(), 'Auto (by kind and size)');
    assert.equal(await method.locator('option[value="wasserstein"]').innerText(), 'Wasserstein distance (normed) (numerical)');
    const run = page.getByTestId('run-compare');
    assert.equal(await run.isDisabled(), true, 'no files yet');

    // Dragging over the view leaves it visible, with a hint; dropping two files fills both slots in order.
    await page.evaluate(() => window.__mock.emit('tauri://drag-enter', { paths: ['/x'], position: { x: 600, y: 650 } }));
    const overlay = page.getByTestId('drop-overlay');
    await overlay.waitFor();
    assert.match(await overlay.innerText(), /Drop two files to compare them/);
    await page.evaluate(
      ([ref, cur]) => window.__mock.emit('tauri://drag-drop', { paths: [ref, cur], position: { x: 600, y: 650 } }),
      [REF, CUR],
    );
    await overlay.waitFor({ state: 'detached' });
    const reference = page.getByTestId('slot-reference');
    const current = page.getByTestId('slot-current');
    await reference.getByTestId('slot-file').filter({ hasText: 'ref_800.csv' }).waitFor();
    assert.equal(await current.getByTestId('slot-file').innerText(), 'cur_800.parquet');
    assert.deepEqual(await calls(page, 'add_project'), [], 'a drop on Compare adds no project');

    await page.getByTestId('swap-files').click();
    await reference.getByTestId('slot-file').filter({ hasText: 'cur_800.parquet' }).waitFor();
    await page.getByTestId('swap-files').click();
    await reference.getByTestId('slot-file').filter({ hasText: 'ref_800.csv' }).waitFor();

    // A drift share out of range is refused before anything is sent.
    const share = page.getByTestId('option-drift-share');
    await share.fill('1.5');
    await page.getByTestId('option-error').filter({ hasText: /drift share/ }).waitFor();
    assert.equal(await run.isDisabled(), true);
    await share.fill('0.5');
    await page.getByTestId('option-error').waitFor({ state: 'detached' });
    await page.getByTestId('option-columns').fill('');

    await run.click();
    const progress = page.getByTestId('drift-progress');
    await progress.waitFor();
    assert.equal(await run.innerText(), 'Comparing…');
    const [sent] = await calls(page, 'compare_datasets');
    assert.deepEqual(sent.request, { reference: REF, current: CUR, columns: null, method: null, threshold: null, drift_share: 0.5 });
    assert.equal(typeof sent.onProgress.id, 'number', 'a channel travels as its callback id');
    await page.evaluate(() => window.__mock.drift.progress({ phase: 'reading', done: 0, total: 0, message: 'ref_800.csv' }));
    await progress.getByTestId('drift-progress-label').filter({ hasText: /^Reading files$/ }).waitFor();
    await page.evaluate(() => window.__mock.drift.progress({ phase: 'profiling', done: 3, total: 20, message: 'num_normal_c' }));
    await progress.getByTestId('drift-progress-label').filter({ hasText: 'Profiling columns 3/20' }).waitFor();
    assert.equal(await progress.getByRole('progressbar').getAttribute('aria-valuenow'), '15');
    assert.match(await progress.innerText(), /num_normal_c/);
    await screenshot(page, 'compare-progress');
    // The verdict.
    const verdict = await finishWithVerdict(page, 'drift', progress);
    assert.equal(await verdict.getByTestId('verdict-title').innerText(), 'Dataset drift detected');
    assert.equal(await verdict.getByTestId('verdict-share').innerText(), '12 of 20 columns drifted (60%); dataset drift at 50% or more');
    const refSide = page.getByTestId('drift-side-reference');
    assert.match(await refSide.innerText(), /ref_800\.csv\s*800 rows · 21 columns · csv/);
    assert.equal(await refSide.getByTestId('cached-badge').count(), 1);
    assert.equal(await page.getByTestId('drift-side-current').getByTestId('cached-badge').count(), 0);
    const schema = await page.getByTestId('drift-schema').innerText();
    assert.match(schema, /Added in current\s*device/);
    assert.match(schema, /Type changed\s*num_count_b: i64 → f64/);

    // The table: drifted first, then by effect size; untested columns listed apart.
    const expectedByDrift = [
      'num_count_b', 'cat_high_a', 'cat_high_b', 'num_uniform_b', 'cat_low_b', 'num_lognorm_b', 'num_normal_b',
      'cat_mid', 'age_group', 'cat_nulls', 'cat_low_a', 'num_normal_c', 'num_nulls', 'sex', 'num_lognorm_a',
      'num_normal_a', 'prediction', 'num_uniform_a', 'label', 'num_count_a',
    ];
    assert.deepEqual(await driftRowNames(page), expectedByDrift);
    const scoreHeader = page.locator('th', { has: page.getByTestId('sort-drift-score') });
    assert.equal(await scoreHeader.getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('[data-testid="drift-row"] [data-testid="drifted-badge"]').count(), 12);
    const countB = page.locator('tr[data-column="num_count_b"]');
    assert.match(await countB.innerText(), /num_count_b\s+numerical\s+K-S p_value\s+2\.118e-24\s+< 0\.05\s+2\.118e-24\s+0\.66\s+medium\s+Drifted/);
    assert.equal(
      await countB.getByTestId('drift-method').getAttribute('title'),
      "numerical with more than 5 distinct values and at most 1000 reference values: Kolmogorov-Smirnov (Evidently's default)",
    );
    assert.match(await page.locator('[data-column="num_normal_a"]').first().getByTestId('drift-score').innerText(), /0\.6275\s+≥ 0\.05/);
    assert.equal(await page.locator('tr[data-column="cat_high_a"] [data-testid="approximate"]').count(), 1);
    assert.equal(await page.locator('[data-testid="drift-row"] [data-testid="approximate"]').count(), 1);
    assert.equal(await page.locator('tr[data-column="cat_high_a"] [data-testid="drift-p"]').innerText(), '0');
    // A sparkline per row: histograms for numbers, bars for categories.
    assert.equal(await page.locator('[data-testid="drift-row"] [data-testid="sparkline"]').count(), 20);
    assert.equal(await page.locator('tr[data-column="num_normal_b"] [data-testid="sparkline"]').getAttribute('data-kind'), 'histogram');
    assert.equal(await page.locator('tr[data-column="num_normal_b"] [data-testid="sparkline"] polyline').count(), 1);
    assert.equal(await page.locator('tr[data-column="cat_low_b"] [data-testid="sparkline"] rect').count(), 10);
    const untested = page.getByTestId('untested-column');
    assert.equal(await untested.count(), 1);
    assert.match(await untested.innerText(), /ts\s+datetime\s+datetime columns are not tested/);

    // Sorting by name, then back to most drift first.
    await sortBy(page, 'drift-column', 'ascending');
    assert.deepEqual(await driftRowNames(page), [
      'age_group', 'cat_high_a', 'cat_high_b', 'cat_low_a', 'cat_low_b', 'cat_mid', 'cat_nulls', 'label', 'num_count_a',
      'num_count_b', 'num_lognorm_a', 'num_lognorm_b', 'num_normal_a', 'num_normal_b', 'num_normal_c', 'num_nulls',
      'num_uniform_a', 'num_uniform_b', 'prediction', 'sex',
    ]);
    assert.equal(await scoreHeader.getAttribute('aria-sort'), 'none');
    await sortBy(page, 'drift-score', 'descending');
    assert.deepEqual(await driftRowNames(page), expectedByDrift);

    // A click on a row opens its details: the shell's chart and the test in full.
    await page.locator('tr[data-column="num_normal_b"]').click();
    const details = page.getByTestId('drift-details');
    await details.waitFor();
    assert.equal(await details.getAttribute('data-column'), 'num_normal_b');
    assert.equal(await page.locator('tr[data-column="num_normal_b"]').getAttribute('aria-expanded'), 'true');
    const chart = details.getByTestId('drift-chart');
    await chart.waitFor();
    assert.match(await chart.getAttribute('src'), /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    assert.match(decodeURIComponent(await chart.getAttribute('src')), /data-column="num_normal_b"/);
    await page.waitForFunction(() => document.querySelector('[data-testid="drift-chart"]').naturalWidth > 0);
    assert.deepEqual(await calls(page, 'drift_column_chart'), [{ reportId: 7, column: 'num_normal_b' }]);
    const test_ = await details.getByTestId('drift-test').innerText();
    assert.match(test_, /Method\s+K-S p_value ks/);
    assert.match(test_, /Why\s+numerical with more than 5 distinct values/);
    assert.match(test_, /Statistic\s+0\.125/);
    assert.match(test_, /p-value\s+1\.527e-5/);
    assert.match(test_, /Threshold\s+0\.05 \(drift when the p-value is below 0\.05\)/);
    assert.match(test_, /Effect size\s+Wasserstein distance in reference standard deviations 0\.25 \(small\)/);
    assert.match(test_, /Verdict\s+Drifted/);
    const sides = await details.getByTestId('drift-summaries').innerText();
    assert.match(sides, /count\s+800\s+800/);
    assert.match(sides, /mean\s+0\.01\s+0\.25/);
    assert.match(sides, /std\s+1\s+1/);
    await screenshot(page, 'compare-details', { fullPage: true });

    // Enter on another row moves the details there; new categories are listed, with how many more.
    await page.locator('tr[data-column="cat_high_a"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="drift-details"][data-column="cat_high_a"]').waitFor();
    assert.equal(await page.getByTestId('drift-details').count(), 1);
    const fresh = page.getByTestId('new-categories');
    assert.match(await fresh.innerText(), /New in current \(100\)\s*n000\s*n001[\s\S]*n009\s*and 90 more/);
    assert.match(await page.getByTestId('drift-details').getByTestId('drift-test').innerText(), /Verdict\s+Drifted \(approximate\)/);
    await page.keyboard.press('Enter');
    await page.getByTestId('drift-details').waitFor({ state: 'detached' });

    // Exports: the save dialog proposes a name, then the shell writes the file.
    await page.getByTestId('export-html').click();
    const done = page.getByTestId('export-done');
    await done.filter({ hasText: `Saved to ${savePath}` }).waitFor();
    assert.deepEqual(await calls(page, 'plugin:dialog|save'), [
      { options: { defaultPath: 'drift-ref_800-vs-cur_800.html', filters: [{ name: 'HTML', extensions: ['html'] }] } },
    ]);
    assert.deepEqual(await calls(page, 'export_drift_report'), [{ reportId: 7, format: 'html', path: savePath }]);
    // Cancelling the dialog writes nothing.
    await page.evaluate(() => window.__mock.setSavePath(null));
    await page.getByTestId('export-json').click();
    await page.waitForFunction(() => window.__mock.calls.filter((c) => c.cmd === 'plugin:dialog|save').length === 2);
    await page.getByTestId('export-json').and(page.locator(':enabled')).waitFor();
    assert.equal((await calls(page, 'export_drift_report')).length, 1);
    assert.equal(await page.getByTestId('error-banner').count(), 0);

    // The report stays while another view is shown.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('nav-compare').click();
    await page.getByTestId('drift-verdict').waitFor();
    assert.deepEqual(await driftRowNames(page), expectedByDrift);
  });

  test('compare: a file that cannot be read shows the error banner, and no report', async (t) => {
    const error = { code: 'bad_input', message: '/home/ana/data/missing.csv: cannot read: No such file or directory (os error 2)' };
    const page = await openApp(t, {
      dialogPath: ['/home/ana/data/missing.csv', CUR],
      drift: { error },
    });
    await openCompare(page);

    // A file that is not tabular, dropped on a slot, is refused there.
    const current = page.getByTestId('slot-current');
    const at = await centreOf(current);
    await page.evaluate((p) => window.__mock.emit('tauri://drag-over', { position: p }), at);
    await page.locator('[data-testid="slot-current"].target').waitFor();
    assert.equal(await page.getByTestId('drop-message').innerText(), 'Drop to use as the current file');
    await page.evaluate((p) => window.__mock.emit('tauri://drag-drop', { paths: ['/home/ana/notes.txt'], position: p }), at);
    await current.getByTestId('slot-error').filter({ hasText: 'notes.txt is not a tabular file' }).waitFor();
    assert.equal(await page.getByTestId('slot-reference').getByTestId('slot-file').count(), 0);
    assert.equal(await page.getByTestId('run-compare').isDisabled(), true);

    // "choose both" opens the picker for tabular files; both chosen fill the slots.
    await page.getByTestId('pick-files').click();
    await page.getByTestId('slot-reference').getByTestId('slot-file').filter({ hasText: 'missing.csv' }).waitFor();
    assert.equal(await current.getByTestId('slot-file').innerText(), 'cur_800.parquet');
    assert.equal(await current.getByTestId('slot-error').count(), 0);
    const [open] = await calls(page, 'plugin:dialog|open');
    assert.equal(open.options.multiple, true);
    assert.deepEqual(open.options.filters[0].extensions, ['csv', 'tsv', 'parquet', 'pq', 'arrow', 'feather', 'ipc', 'ndjson', 'jsonl']);

    await page.getByTestId('option-method').selectOption('wasserstein');
    assert.equal(await page.getByTestId('option-threshold').getAttribute('placeholder'), 'default 0.1');
    await page.getByTestId('option-threshold').fill('0.2');
    await page.getByTestId('option-columns').fill('num_normal_a, cat_low_b');
    await page.getByTestId('run-compare').click();
    await page.getByTestId('drift-progress').waitFor();
    assert.deepEqual((await calls(page, 'compare_datasets'))[0].request, {
      reference: '/home/ana/data/missing.csv',
      current: CUR,
      columns: ['num_normal_a', 'cat_low_b'],
      method: 'wasserstein',
      threshold: 0.2,
      drift_share: 0.5,
    });
    await page.evaluate(() => window.__mock.drift.progress({ phase: 'reading', done: 0, total: 2, message: 'missing.csv' }));
    await page.getByTestId('drift-progress-label').filter({ hasText: 'Reading files 0/2' }).waitFor();
    await page.evaluate(() => window.__mock.drift.finish());

    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-code').innerText(), 'bad_input');
    assert.equal(await banner.getByTestId('error-message').innerText(), error.message);
    await page.getByTestId('drift-progress').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('drift-report').count(), 0);
    assert.equal(await page.getByTestId('run-compare').innerText(), 'Compare');
    assert.equal(await page.getByTestId('run-compare').isDisabled(), false, 'it can be tried again');
  });

  test('datasets: a file dropped on a dataset row is compared with that dataset', async (t) => {
    const page = await openApp(t);
    await page.getByTestId('nav-datasets').click();
    const row = page.getByTestId('dataset-row').filter({ hasText: 'data/train.csv' });
    await row.waitFor();
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);

    const at = await centreOf(row);
    await page.evaluate((p) => window.__mock.emit('tauri://drag-enter', { paths: ['/x'], position: p }), at);
    await page.locator('[data-testid="dataset-row"].drop-target').filter({ hasText: 'data/train.csv' }).waitFor();
    assert.equal(await page.locator('[data-testid="dataset-row"].drop-target').count(), 1);
    assert.equal(await page.getByTestId('drop-message').innerText(), 'Drop to compare a file with train.csv');
    await screenshot(page, 'datasets-drop');

    await page.evaluate((p) => window.__mock.emit('tauri://drag-drop', { paths: ['/home/ana/new/batch-2026-03.csv'], position: p }), at);
    const compare = page.getByTestId('view-compare');
    await compare.waitFor();
    assert.equal(await page.getByTestId('nav-compare').getAttribute('aria-current'), 'page');
    const reference = page.getByTestId('slot-reference');
    assert.equal(await reference.getByTestId('slot-file').innerText(), 'train.csv');
    assert.equal(await page.getByTestId('path-reference').inputValue(), '/home/ana/work/fraud-detection/data/train.csv');
    assert.equal(await page.getByTestId('slot-current').getByTestId('slot-file').innerText(), 'batch-2026-03.csv');
    assert.equal(await page.getByTestId('run-compare').isDisabled(), false);
    assert.deepEqual(await calls(page, 'add_project'), []);
    assert.deepEqual(await calls(page, 'compare_datasets'), [], 'options first: nothing runs yet');

    // Elsewhere on the Datasets view a drop still adds a folder as a project.
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('dataset-row').first().waitFor();
    const heading = await centreOf(page.getByRole('heading', { name: 'Datasets' }));
    await page.evaluate((p) => window.__mock.emit('tauri://drag-drop', { paths: ['/data/sensor-logs'], position: p }), heading);
    await page.getByTestId('project-row').filter({ hasText: 'sensor-logs' }).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), [{ path: '/data/sensor-logs' }]);
  });

  /** Opens the Fairness view and waits for the drop subscription and the catalog's datasets. */
  async function openFairness(page) {
    await page.getByTestId('nav-fairness').click();
    await page.getByTestId('view-fairness').waitFor();
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);
    await page.getByTestId('fairness-dataset').locator('option[value]:not([value=""])').first().waitFor({ state: 'attached' });
  }

  const checkedSensitive = (page) =>
    page
      .getByTestId('sensitive-option')
      .evaluateAll((labels) => labels.filter((l) => l.querySelector('input').checked).map((l) => l.dataset.column));

  test('fairness: a catalog dataset, guessed columns, the verdict, charts, tables, what moved and exports', async (t) => {
    const savePath = '/home/ana/reports/fairness.html';
    const page = await openApp(t, { savePath, datasets: [...DATASETS, PREDICTIONS_DATASET] });
    await openFairness(page);
    const run = page.getByTestId('run-fairness');
    assert.equal(await run.isDisabled(), true, 'no file yet');
    assert.match(await page.getByTestId('fairness-empty').innerText(), /verdict appears here/);

    // The catalog's datasets, by project; choosing one reads its columns and preselects the guesses.
    const select = page.getByTestId('fairness-dataset');
    assert.deepEqual(await select.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label)), ['churn', 'fraud-detection']);
    await select.selectOption(FAIRNESS_PATH);
    const guess = page.getByTestId('fairness-guess');
    await guess.waitFor();
    assert.deepEqual(await calls(page, 'fairness_columns'), [{ path: FAIRNESS_PATH }]);
    assert.equal(
      await guess.innerText(),
      '723 rows, 6 columns. Guessed the label (label, positive 1), the prediction (prediction) and the sensitive columns (sex, age_group).',
    );
    assert.equal(await page.getByTestId('fairness-file-name').innerText(), 'predictions_2026-03.csv');
    assert.equal(await page.getByTestId('fairness-path').inputValue(), FAIRNESS_PATH);
    assert.equal(await page.getByTestId('fairness-label').inputValue(), 'label');
    assert.equal(await page.getByTestId('fairness-prediction').inputValue(), 'prediction');
    assert.equal(await page.getByTestId('fairness-positive').inputValue(), '1');
    assert.deepEqual(
      await page.getByTestId('fairness-positive').locator('option').evaluateAll((os) => os.map((o) => o.value)),
      ['', '0', '1'],
      'a binary label offers its two values',
    );
    assert.deepEqual(await checkedSensitive(page), ['sex', 'age_group']);
    assert.deepEqual(
      await page.getByTestId('sensitive-option').evaluateAll((ls) => ls.map((l) => l.dataset.column)),
      ['id', 'score', 'sex', 'age_group'],
      'the label and the prediction are not offered as sensitive',
    );
    assert.equal(await page.getByTestId('fairness-threshold').count(), 0, 'classes, not scores: no threshold');
    assert.equal(await page.getByTestId('fairness-min-group-size').inputValue(), '30');
    assert.equal(await page.getByTestId('fairness-max-difference').inputValue(), '0.1');
    assert.equal(await page.getByTestId('fairness-min-ratio').inputValue(), '0.8');

    // A score column as the prediction asks for a threshold (0.5); back to the classes.
    await page.getByTestId('fairness-prediction').selectOption('score');
    assert.equal(await page.getByTestId('fairness-threshold').inputValue(), '0.5');
    await page.getByTestId('fairness-prediction').selectOption('prediction');
    await page.getByTestId('fairness-threshold').waitFor({ state: 'detached' });

    // No sensitive column: refused before anything is sent.
    for (const name of ['sex', 'age_group']) {
      await page.locator(`[data-testid="sensitive-option"][data-column="${name}"] input`).uncheck();
    }
    await page.getByTestId('fairness-error').filter({ hasText: 'Choose at least one sensitive column' }).waitFor();
    assert.equal(await run.isDisabled(), true);
    for (const name of ['age_group', 'sex']) {
      await page.locator(`[data-testid="sensitive-option"][data-column="${name}"] input`).check();
    }
    await page.getByTestId('fairness-error').waitFor({ state: 'detached' });

    // An earlier file and the bootstrap.
    await page.getByTestId('fairness-compare-path').fill(FAIRNESS_EARLIER);
    await page.getByTestId('fairness-bootstrap').check();
    await page.getByTestId('fairness-seed').fill('7');

    await run.click();
    const progress = page.getByTestId('fairness-progress');
    await progress.waitFor();
    assert.equal(await run.innerText(), 'Checking…');
    assert.equal(await progress.getByRole('progressbar').getAttribute('aria-valuenow'), null, 'indeterminate');
    assert.deepEqual(await calls(page, 'fairness_report'), [
      {
        request: fairnessRequest(FAIRNESS_PATH, { compare_with: FAIRNESS_EARLIER, bootstrap: { replicates: 2000, seed: 7 } }),
      },
    ]);
    await screenshot(page, 'fairness-progress');
    // The verdict.
    const verdict = await finishWithVerdict(page, 'fairness', progress);
    assert.equal(await verdict.getByTestId('fairness-verdict-title').innerText(), '14 fairness violations');
    assert.equal(
      await verdict.getByTestId('fairness-thresholds').innerText(),
      'against difference ≤ 0.1, ratio ≥ 0.8 (the four-fifths rule), between groups',
    );
    assert.equal(await verdict.getByTestId('fairness-where').innerText(), 'in sex 2, age_group 6, sex × age_group 6');
    const facts = await page.getByTestId('fairness-facts').innerText();
    assert.match(facts, /predictions_2026-03\.csv · 723 rows · csv/);
    assert.match(
      await page.getByTestId('fairness-columns').innerText(),
      /label label \(positive 1\), prediction prediction, sensitive sex, age_group/,
    );
    assert.match(facts, /under 30 rows are flagged: 1 group/);
    assert.match(facts, /Earlier file\s+predictions_2026-02\.csv · 724 rows/);

    // One section per grouping: each column, then the intersection.
    const groupings = page.getByTestId('fairness-grouping');
    assert.deepEqual(await groupings.evaluateAll((gs) => gs.map((g) => g.dataset.grouping)), ['sex', 'age_group', 'sex × age_group']);
    const both = page.locator('[data-testid="fairness-grouping"][data-grouping="sex × age_group"]');

    // Charts from the shell, as data: images, for the chosen metric.
    await both.getByTestId('fairness-chart').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="fairness-chart"]')].length === 3);
    assert.deepEqual(await calls(page, 'fairness_chart'), [
      { reportId: 3, grouping: 0, metric: 'selection_rate' },
      { reportId: 3, grouping: 1, metric: 'selection_rate' },
      { reportId: 3, grouping: 2, metric: 'selection_rate' },
    ]);
    assert.equal(
      await both.getByTestId('fairness-chart-caption').innerText(),
      'Line: overall selection rate 0.3126. Parity band: within 0.1 of it (0.2126–0.4126); ratio 0.8 band 0.2501–0.3907.',
    );
    await page.getByTestId('fairness-metric').selectOption('true_positive_rate');
    await both.locator('[data-testid="fairness-chart"][data-metric="true_positive_rate"]').waitFor();
    const chart = both.getByTestId('fairness-chart');
    assert.match(await chart.getAttribute('src'), /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    assert.match(decodeURIComponent(await chart.getAttribute('src')), /data-grouping="2" data-metric="true_positive_rate"/);
    assert.equal(await chart.getAttribute('alt'), 'sex × age_group: true positive rate per group, with the overall value and the parity band');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="fairness-chart"]')].every((img) => img.naturalWidth > 0),
    );
    assert.deepEqual((await calls(page, 'fairness_chart')).slice(3), [
      { reportId: 3, grouping: 0, metric: 'true_positive_rate' },
      { reportId: 3, grouping: 1, metric: 'true_positive_rate' },
      { reportId: 3, grouping: 2, metric: 'true_positive_rate' },
    ]);
    assert.match(await both.getByTestId('fairness-chart-caption').innerText(), /^Line: overall true positive rate 0\.6951\./);

    // The group table: the whole file first, then each group; a small group flagged; undefined is "—" with why, never 0.
    const table = both.getByTestId('group-table');
    assert.deepEqual(
      await table.getByTestId('group-row').evaluateAll((rs) => rs.map((r) => r.dataset.group)),
      ['F | 18-29', 'F | 30-44', 'F | 45-59', 'F | 60+', 'M | 18-29', 'M | 30-44', 'M | 45-59', 'M | 60+'],
    );
    assert.match(await table.getByTestId('overall-row').innerText(), /All rows\s+723\s+0\.3126\s+0\.6951/);
    const older = table.locator('[data-testid="group-row"][data-group="F | 60+"]');
    assert.match(await older.innerText(), /F \| 60\+\s+28\s+small\s+0\s+0\s+0\s+1\s+1\s+0\.75\s+—/);
    assert.equal(
      await older.getByTestId('small-group').getAttribute('title'),
      'Fewer than 30 rows: its rates are uncertain',
    );
    assert.equal(await table.getByTestId('small-group').count(), 1);
    const precision = older.locator('td[data-metric="precision"]');
    assert.equal(await precision.innerText(), '—');
    assert.equal(await precision.getAttribute('title'), 'Undefined: the group has no positive predictions');
    assert.equal(await older.locator('td[data-metric="selection_rate"]').innerText(), '0', 'a defined 0 stays 0');
    assert.match(await older.locator('td[data-metric="true_positive_rate"]').getAttribute('class'), /chosen/);

    // The disparity table: Fairlearn's names, value, interval, threshold, verdict; disparate impact last.
    const sexDisparities = page.locator('[data-testid="fairness-grouping"][data-grouping="sex"] [data-testid="disparity-row"]');
    assert.deepEqual(await sexDisparities.evaluateAll((rs) => rs.map((r) => [r.dataset.name, r.querySelector('[data-testid="disparity-verdict"]').textContent.trim()])), [
      ['demographic_parity_difference', 'Pass'],
      ['demographic_parity_ratio', 'Fail'],
      ['equalized_odds_difference', 'Pass'],
      ['equalized_odds_ratio', 'Fail'],
      ['equal_opportunity_difference', 'Pass'],
      ['equal_opportunity_ratio', 'Pass'],
      ['disparate_impact', 'Fail'],
    ]);
    const ratio = sexDisparities.filter({ has: page.locator('code', { hasText: /^demographic_parity_ratio$/ }) });
    assert.match(await ratio.innerText(), /demographic_parity_ratio\s+Demographic parity ratio\s+0\.7631\s+0\.7321 – 0\.7901 \(95%\)\s+≥ 0\.8\s+Fail/);
    const impact = both.locator('[data-testid="disparity-row"][data-name="disparate_impact"]');
    assert.match(await impact.innerText(), /disparate_impact\s+Disparate impact \(four-fifths rule\): lowest F \| 60\+, highest M \| 18-29\s+0\s+0 – 0\.027 \(95%\)\s+≥ 0\.8\s+Fail/);

    // Against the overall rate: shown, folded, not judged.
    const overall = both.getByTestId('fairness-to-overall');
    assert.equal(await overall.evaluate((d) => d.open), false);
    assert.match(await overall.locator('summary').innerText(), /Against the overall rate \(6, shown, not judged\)/);
    await overall.locator('summary').click();
    await overall.getByTestId('overall-disparity-row').first().waitFor();
    assert.equal(await overall.getByTestId('overall-disparity-row').count(), 6);
    assert.equal(await overall.getByTestId('disparity-verdict').count(), 0);

    // What moved since the earlier file: largest changes first, the rest on request.
    const changes = page.getByTestId('fairness-changes');
    assert.match(await changes.locator('h2').innerText(), /What moved\s+since predictions_2026-02\.csv, largest changes first/);
    const rows = changes.getByTestId('change-row');
    assert.equal(await rows.count(), 15);
    assert.match(await rows.first().innerText(), /sex × age_group\s+F \| 60\+\s+False negative rate\s+0\.625\s+1\s+\+0\.375/);
    assert.match(await rows.nth(1).innerText(), /sex × age_group\s+F \| 60\+\s+True positive rate\s+0\.375\s+0\s+−0\.375/);
    await changes.getByTestId('changes-more').click();
    await rows.nth(97).waitFor();
    assert.equal(await rows.count(), 98);
    assert.match(await rows.last().innerText(), /F \| 60\+\s+Precision\s+0\.75\s+—\s+—/, 'a change that cannot be computed comes last');
    await screenshot(page, 'fairness-report', { fullPage: true });

    // Exports: the save dialog proposes a name, then the shell writes the file.
    await page.getByTestId('fairness-export-html').click();
    await page.getByTestId('fairness-export-done').filter({ hasText: `Saved to ${savePath}` }).waitFor();
    assert.deepEqual(await calls(page, 'plugin:dialog|save'), [
      { options: { defaultPath: 'fairness-predictions_2026-03.html', filters: [{ name: 'HTML', extensions: ['html'] }] } },
    ]);
    assert.deepEqual(await calls(page, 'export_fairness_report'), [{ reportId: 3, format: 'html', path: savePath }]);
    await page.evaluate(() => window.__mock.setSavePath('/home/ana/reports/fairness.json'));
    await page.getByTestId('fairness-export-json').click();
    await page.getByTestId('fairness-export-done').filter({ hasText: 'fairness.json' }).waitFor();
    assert.deepEqual((await calls(page, 'export_fairness_report')).at(-1), {
      reportId: 3,
      format: 'json',
      path: '/home/ana/reports/fairness.json',
    });
    assert.equal(await page.getByTestId('error-banner').count(), 0);

    // The report and the form stay while another view is shown.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('nav-fairness').click();
    await page.getByTestId('fairness-verdict').waitFor();
    assert.equal(await page.getByTestId('fairness-metric').inputValue(), 'true_positive_rate');
    assert.equal(await page.getByTestId('fairness-compare-path').inputValue(), FAIRNESS_EARLIER);
    assert.equal((await calls(page, 'fairness_columns')).length, 1, 'the columns are not read again');
  });

  test('fairness: a file that cannot be read, then a label that is not binary, show the error banner', async (t) => {
    const error = { code: 'bad_input', message: 'column label must hold two classes but holds at least three: 0, 1, 2' };
    const page = await openApp(t, { fairness: { error } });
    await openFairness(page);

    // A path typed in: the file is missing.
    const path = page.getByTestId('fairness-path');
    await path.fill('/home/ana/data/missing.csv');
    await path.press('Enter');
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-code').innerText(), 'not_found');
    assert.match(await banner.getByTestId('error-message').innerText(), /missing\.csv: cannot read/);
    await page.getByTestId('fairness-columns-failed').waitFor();
    assert.equal(await page.getByTestId('run-fairness').isDisabled(), true);
    await banner.getByTestId('error-dismiss').click();

    // Not a tabular file: refused at once, nothing read.
    await path.fill('/home/ana/data/notes.txt');
    await path.press('Enter');
    await page.getByTestId('fairness-path-error').filter({ hasText: 'notes.txt is not a tabular file' }).waitFor();
    assert.equal((await calls(page, 'fairness_columns')).length, 1);

    // A label with three classes: warned about in the form, refused by the engine.
    await path.fill('/home/ana/data/multiclass.csv');
    await path.press('Enter');
    await page.getByTestId('fairness-guess').waitFor();
    assert.equal(await page.getByTestId('fairness-label-warning').innerText(), 'label has 3 values; a label has two classes');
    assert.deepEqual(
      await page.getByTestId('fairness-positive').locator('option').evaluateAll((os) => os.map((o) => o.value)),
      ['', '0', '1', '2'],
    );
    const run = page.getByTestId('run-fairness');
    await run.click();
    await page.getByTestId('fairness-progress').waitFor();
    assert.deepEqual((await calls(page, 'fairness_report'))[0].request.sensitive, ['sex']);
    await page.evaluate(() => window.__mock.fairness.finish());
    await banner.filter({ hasText: 'must hold two classes' }).waitFor();
    assert.equal(await banner.getAttribute('data-code'), 'bad_input');
    assert.equal(await banner.getByTestId('error-message').innerText(), error.message);
    await page.getByTestId('fairness-progress').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('fairness-report').count(), 0);
    assert.equal(await run.innerText(), 'Check fairness');
    assert.equal(await run.isDisabled(), false, 'it can be tried again');
  });

  test('fairness: a file dropped on the view is checked; one dropped on the comparison field is the earlier file', async (t) => {
    const page = await openApp(t);
    await openFairness(page);

    // Dragging over the view leaves it visible, with a hint and the file field highlighted.
    const file = page.getByTestId('fairness-file');
    const at = await centreOf(file);
    await page.evaluate((p) => window.__mock.emit('tauri://drag-enter', { paths: ['/x'], position: p }), at);
    await page.locator('[data-testid="fairness-file"].target').waitFor();
    assert.equal(await page.getByTestId('drop-message').innerText(), 'Drop a file of predictions to check its fairness');
    // Anywhere on the view works too: two files, the first is checked.
    const heading = await centreOf(page.getByRole('heading', { name: 'Fairness' }));
    await page.evaluate(
      ([p, path]) => window.__mock.emit('tauri://drag-drop', { paths: [path, '/home/ana/other.csv'], position: p }),
      [heading, FAIRNESS_PATH],
    );
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' });
    await page.getByTestId('fairness-guess').waitFor();
    assert.equal(await page.getByTestId('fairness-file-name').innerText(), 'predictions_2026-03.csv');
    assert.equal(await page.getByTestId('fairness-ignored').innerText(), 'Only one file is checked: 1 more left out.');
    assert.deepEqual(await calls(page, 'fairness_columns'), [{ path: FAIRNESS_PATH }]);
    assert.deepEqual(await checkedSensitive(page), ['sex', 'age_group']);
    assert.deepEqual(await calls(page, 'add_project'), [], 'a drop on Fairness adds no project');

    // The earlier file's field takes a drop of its own.
    const baseline = page.locator('[data-drop-fairness="baseline"]');
    const there = await centreOf(baseline);
    await page.evaluate((p) => window.__mock.emit('tauri://drag-over', { position: p }), there);
    await page.locator('[data-drop-fairness="baseline"].target').waitFor();
    assert.equal(await page.getByTestId('drop-message').innerText(), 'Drop to compare with this earlier file');
    await page.evaluate(
      ([p, path]) => window.__mock.emit('tauri://drag-drop', { paths: [path], position: p }),
      [there, FAIRNESS_EARLIER],
    );
    await page.waitForFunction(
      (path) => document.querySelector('[data-testid="fairness-compare-path"]').value === path,
      FAIRNESS_EARLIER,
    );
    assert.equal(await page.getByTestId('fairness-file-name').innerText(), 'predictions_2026-03.csv', 'the predictions stay');
    assert.equal(await page.locator('[data-testid="fairness-ignored"]').count(), 0);
    assert.equal(await page.getByTestId('run-fairness').isDisabled(), false);
    assert.deepEqual(await calls(page, 'fairness_report'), [], 'options first: nothing runs yet');
  });

  // ---------------------------------------------------------------------------
  // Start-up, Settings, the native menu, drift alerts, error reports, links

  /** The commands the page sent, in order (names only). */
  const commandOrder = (page) => page.evaluate(() => window.__mock.calls.map((c) => c.cmd));

  test('start-up: Runs when the catalog has projects; the shell hears once, after the first run rows are painted', async (t) => {
    const page = await openApp(t);
    await page.getByTestId('run-row').first().waitFor();
    await page.waitForFunction(() => window.__mock.startup.length === 1);
    const [shown] = await page.evaluate(() => window.__mock.startup);
    assert.ok(shown.runRows >= 5, `run rows on screen when startup_ready came: ${JSON.stringify(shown)}`);
    assert.equal(shown.projectRows, 0, 'the Projects view never painted its rows first');

    // The first rows came first: projects and runs were asked for before anything else that reads the
    // catalog, and the problems list only after the signal.
    const order = await commandOrder(page);
    assert.deepEqual(order.slice(0, 2), ['list_projects', 'list_runs']);
    assert.equal(order.filter((c) => c === 'list_runs').length, 1, 'the prefetched list served the first load');
    assert.ok(order.indexOf('list_problems') > order.indexOf('startup_ready'), order.join(' '));

    // Other views, rows and reloads send nothing more.
    await openProjects(page);
    await page.getByTestId('project-row').first().waitFor();
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('run-row').first().waitFor();
    assert.equal((await calls(page, 'startup_ready')).length, 1);
  });

  test('first run: the empty state offers the demo workspace; opening it goes to Runs', async (t) => {
    const page = await openApp(t, { projects: [], info: { ...INFO, demo_path: DEMO_PATH } });
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    await page.waitForFunction(() => window.__mock.startup.length === 1);
    assert.deepEqual(await page.evaluate(() => window.__mock.startup), [{ runRows: 0, projectRows: 0, emptyState: 1 }]);

    const demo = empty.getByTestId('open-demo');
    assert.equal(await demo.innerText(), 'Open the demo workspace');
    await demo.click();
    await page.locator('[data-testid="nav-runs"][aria-current="page"]').waitFor();
    await page.getByTestId('view-runs').waitFor();
    assert.deepEqual(await calls(page, 'add_demo_project'), [{}]);
    assert.match(await page.getByTestId('status-bar').innerText(), /1 project\b/);
    await openProjects(page);
    assert.deepEqual(await page.getByTestId('project-name').allInnerTexts(), ['demo']);
    assert.match(await page.getByTestId('project-path').innerText(), /\/usr\/share\/driftdeck\/demo/);
    assert.equal((await calls(page, 'startup_ready')).length, 1);
  });

  test('a folder dropped on any view is added as a project; data files still go where they are dropped', async (t) => {
    const page = await openApp(t);
    await page.waitForFunction(() => window.__mock.listenerCount('tauri://drag-drop') === 1);
    const places = [
      ['compare', 'Compare'],
      ['fairness', 'Fairness'],
      ['models', 'Models'],
      ['settings', 'Settings'],
      ['runs', 'Runs'],
    ];
    const added = [];
    for (const [id, heading] of places) {
      await page.getByTestId(`nav-${id}`).click();
      const at = await centreOf(page.getByRole('heading', { name: heading, exact: true }).first());
      const folder = `/data/from-${id}`;
      await page.evaluate(([p, path]) => window.__mock.emit('tauri://drag-drop', { paths: [path], position: p }), [at, folder]);
      added.push({ path: folder });
      await page.getByTestId('project-row').filter({ hasText: `from-${id}` }).waitFor();
      assert.equal(await page.getByTestId('nav-projects').getAttribute('aria-current'), 'page', `a folder dropped on ${id}`);
    }
    assert.deepEqual(await calls(page, 'add_project'), added);

    // A data file dropped on Compare is still placed there, not added.
    await page.getByTestId('nav-compare').click();
    const at = await centreOf(page.getByRole('heading', { name: 'Compare', exact: true }));
    await page.evaluate(([p, path]) => window.__mock.emit('tauri://drag-drop', { paths: [path], position: p }), [at, REF]);
    await page.getByTestId('slot-reference').getByTestId('slot-file').filter({ hasText: 'ref_800.csv' }).waitFor();
    assert.equal((await calls(page, 'add_project')).length, places.length);
  });

  /** Opens Settings from the foot of the sidebar. */
  async function openSettings(page) {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('view-settings').waitFor();
    assert.equal(await page.getByTestId('nav-settings').getAttribute('aria-current'), 'page');
  }

  const effectiveTheme = (page) => page.evaluate(() => document.documentElement.dataset.theme);
  const pageBackground = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const LIGHT_BG = 'rgb(247, 248, 250)';
  const DARK_BG = 'rgb(22, 25, 30)';

  test('settings: the theme forces light or dark or follows the system, live, charts included', async (t) => {
    const page = await openApp(t, { colorScheme: 'light' });
    await openSettings(page);
    const choice = (theme) => page.getByTestId(`theme-${theme}`);
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'settings'));
    assert.equal(await choice('system').isChecked(), true);
    assert.equal(await effectiveTheme(page), 'light');
    assert.equal(await pageBackground(page), LIGHT_BG);

    // Dark, on a light desktop.
    await choice('dark').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.equal(await pageBackground(page), DARK_BG);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), 'dark');
    assert.deepEqual(await calls(page, 'set_theme'), [{ theme: 'dark' }]);
    assert.equal(await choice('dark').isChecked(), true);
    await screenshot(page, 'settings-dark', { fullPage: true });

    // Charts are asked for in the effective palette.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('run-row').filter({ hasText: 'gbm-a' }).click();
    await page.locator('[data-testid="interactive-chart"][data-dark="true"]').first().waitFor();
    assert.equal(await page.locator('[data-testid="interactive-chart"][data-dark="false"]').count(), 0, 'dark charts on a light desktop');

    // Light, on a dark desktop: the desktop does not win.
    await page.emulateMedia({ colorScheme: 'dark' });
    await openSettings(page);
    await choice('light').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    assert.equal(await pageBackground(page), LIGHT_BG);

    // System follows the desktop as it changes.
    await choice('system').check();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.equal(await pageBackground(page), DARK_BG);
    assert.deepEqual(await calls(page, 'set_theme'), [{ theme: 'dark' }, { theme: 'light' }, { theme: 'system' }]);
  });

  test('the saved theme applies at start, before any choice', async (t) => {
    const page = await openApp(t, { colorScheme: 'light', settings: { theme: 'dark' } });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.equal(await pageBackground(page), DARK_BG);
    assert.deepEqual(await calls(page, 'set_theme'), []);
    // Remembered for the next start, so a forced theme does not flash the other palette.
    assert.equal(await page.evaluate(() => localStorage.getItem('driftdeck.theme.v1')), 'dark');
  });

  test('settings: a project\'s watch toggle calls set_project_watch; an unwatched project says so in Projects', async (t) => {
    const page = await openApp(t);
    await openSettings(page);
    const row = (name) => page.getByTestId('settings-project').filter({ hasText: name });
    await row('churn').waitFor();
    assert.deepEqual(await page.getByTestId('settings-project').locator('.project-name').allInnerTexts(), ['churn', 'fraud-detection']);
    assert.equal(await row('churn').getByTestId('watch-toggle').isChecked(), true);
    assert.equal(await row('fraud-detection').getByTestId('watch-toggle').isChecked(), false);
    assert.equal(await row('churn').getByTestId('watch-toggle').getAttribute('role'), 'switch');

    await row('churn').getByTestId('watch-toggle').click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'set_project_watch'));
    await row('churn').getByTestId('watch-toggle').and(page.locator(':enabled')).waitFor();
    assert.deepEqual(await calls(page, 'set_project_watch'), [{ id: 2, watch: false }]);
    assert.equal(await row('churn').getByTestId('watch-toggle').isChecked(), false);

    await row('fraud-detection').getByTestId('watch-toggle').click();
    await page.waitForFunction(() => window.__mock.calls.filter((c) => c.cmd === 'set_project_watch').length === 2);
    await row('fraud-detection').getByTestId('watch-toggle').and(page.locator(':enabled')).waitFor();
    assert.deepEqual((await calls(page, 'set_project_watch'))[1], { id: 1, watch: true });

    await openProjects(page);
    const rows = page.getByTestId('project-row');
    assert.equal(await rows.filter({ hasText: 'churn' }).getByTestId('unwatched-badge').count(), 1);
    assert.equal(await rows.filter({ hasText: 'fraud-detection' }).getByTestId('unwatched-badge').count(), 0);
  });

  test('settings: the catalog moves to a chosen folder (copied), then back to the default; everything reloads', async (t) => {
    const defaultPath = INFO.catalog_path;
    const elsewhere = [{ id: 7, path: '/home/ana/work/at-default', name: 'at-default', added_at: '2026-01-01T00:00:00Z', exists: true, watch: true }];
    const page = await openApp(t, { dialogPath: '/mnt/team/driftdeck', catalogs: { [defaultPath]: { projects: elsewhere } } });
    await page.waitForFunction(() => window.__mock.listenerCount('catalog-changed') === 1);
    await openSettings(page);
    const catalog = page.getByTestId('settings-catalog');
    await catalog.getByTestId('catalog-in-use').filter({ hasText: defaultPath }).waitFor();
    assert.equal(await catalog.getByTestId('catalog-default').innerText(), defaultPath);
    assert.equal(await catalog.getByTestId('settings-file').innerText(), '/home/ana/.config/driftdeck/settings.toml');
    assert.equal(await catalog.getByTestId('catalog-source').innerText(), 'the default location');
    assert.equal(await catalog.getByTestId('catalog-copy').isChecked(), true, 'copying is the default');
    assert.equal(await catalog.getByTestId('catalog-use-default').isDisabled(), true, 'already at the default');
    assert.equal(await catalog.getByTestId('catalog-env-note').count(), 0);
    // The registry connections are here too.
    await page.getByTestId('registry-settings').getByTestId('registry-none').waitFor();

    const before = {
      projects: (await calls(page, 'list_projects')).length,
      info: (await calls(page, 'app_info')).length,
      problems: (await calls(page, 'list_problems')).length,
      settings: (await calls(page, 'settings')).length,
    };
    await catalog.getByTestId('catalog-change').click();
    const moved = '/mnt/team/driftdeck/catalog.sqlite';
    await catalog.getByTestId('catalog-moved').filter({ hasText: moved }).waitFor();
    assert.deepEqual(await calls(page, 'set_catalog_location'), [{ path: '/mnt/team/driftdeck', copy: true }]);
    await page.getByTestId('catalog-path').filter({ hasText: moved }).waitFor();
    await catalog.getByTestId('catalog-source').filter({ hasText: 'chosen in Settings' }).waitFor();
    // The command's answer and the shell's catalog-changed (project -1) make one reload of everything.
    await page.waitForFunction(
      (n) => window.__mock.calls.filter((c) => c.cmd === 'list_projects').length === n + 1,
      before.projects,
    );
    await page.waitForFunction((n) => window.__mock.calls.filter((c) => c.cmd === 'list_problems').length === n + 1, before.problems);
    assert.equal((await calls(page, 'app_info')).length, before.info + 1);
    assert.equal((await calls(page, 'settings')).length, before.settings + 1);
    // Copied: the same projects.
    assert.match(await page.getByTestId('status-bar').innerText(), /2 projects/);

    // A typed folder: a relative one is refused before anything is sent; a full path moves there.
    const typed = catalog.getByTestId('catalog-path-input');
    await typed.fill('team-share');
    await catalog.getByTestId('catalog-move').click();
    assert.equal(await catalog.getByTestId('catalog-path-error').innerText(), 'Type the full path of a folder, starting with /');
    assert.equal((await calls(page, 'set_catalog_location')).length, 1);
    await typed.fill('/home/ana/team-share');
    await typed.press('Enter');
    await catalog.getByTestId('catalog-moved').filter({ hasText: '/home/ana/team-share/catalog.sqlite' }).waitFor();
    assert.deepEqual((await calls(page, 'set_catalog_location'))[1], { path: '/home/ana/team-share', copy: true });
    assert.equal(await typed.inputValue(), '', 'the field is emptied once moved');
    await page.getByTestId('catalog-path').filter({ hasText: 'team-share' }).waitFor();

    // Back to the default, not copied: the catalog there has its own projects.
    await catalog.getByTestId('catalog-copy').uncheck();
    await catalog.getByTestId('catalog-use-default').click();
    await catalog.getByTestId('catalog-moved').filter({ hasText: defaultPath }).waitFor();
    assert.deepEqual((await calls(page, 'set_catalog_location'))[2], { path: null, copy: false });
    await page.getByTestId('settings-project').filter({ hasText: 'at-default' }).waitFor();
    assert.equal(await page.getByTestId('settings-project').count(), 1);
    await page.getByTestId('status-bar').filter({ hasText: /1 project\b/ }).waitFor();
    await page.getByTestId('catalog-path').filter({ hasText: defaultPath }).waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
  });

  test('settings: a catalog set by DRIFTDECK_DB cannot be changed in the app, and says why', async (t) => {
    const envPath = '/tmp/e2e/catalog.sqlite';
    const page = await openApp(t, { info: { ...INFO, catalog_path: envPath }, settings: { catalog_path: envPath, catalog_default: INFO.catalog_path, catalog_source: 'env' } });
    await openSettings(page);
    const catalog = page.getByTestId('settings-catalog');
    await catalog.getByTestId('catalog-in-use').filter({ hasText: envPath }).waitFor();
    assert.equal(await catalog.getByTestId('catalog-source').innerText(), 'set by DRIFTDECK_DB');
    assert.match(await catalog.getByTestId('catalog-env-note').innerText(), /DRIFTDECK_DB environment variable sets the catalog/);
    assert.equal(await catalog.getByTestId('catalog-change').isDisabled(), true);
    assert.equal(await catalog.getByTestId('catalog-use-default').isDisabled(), true);
    assert.equal(await catalog.getByTestId('catalog-copy').isDisabled(), true);
    assert.equal(await catalog.getByTestId('catalog-path-input').isDisabled(), true);
    assert.equal(await catalog.getByTestId('catalog-move').isDisabled(), true);
    assert.deepEqual(await calls(page, 'set_catalog_location'), []);
    assert.deepEqual(await calls(page, 'plugin:dialog|open'), []);
  });

  test('settings: a settings file that cannot be read is reported, not shown as loading forever', async (t) => {
    const message = '/home/ana/.config/driftdeck/settings.toml: line 2: unknown field `themes`';
    const page = await openApp(t, { settingsError: { code: 'bad_input', message } });
    const banner = page.getByTestId('error-banner');
    await banner.filter({ hasText: 'unknown field' }).waitFor();
    await openSettings(page);
    assert.match(await page.getByTestId('settings-unread').innerText(), /could not be read/);
    assert.equal(await page.getByTestId('catalog-change').count(), 0);
    // The theme still follows the system.
    assert.equal(await effectiveTheme(page), 'light');
  });

  const DRIFTED = {
    project_id: 1,
    project: 'fraud-detection',
    reference: REF,
    current: CUR,
    drifted_columns: 4,
    columns: 9,
    share: 4 / 9,
    max_share: 0.3,
    drifted: ['num_normal_b', 'num_lognorm_b', 'cat_low_b', 'age_group'],
  };

  test('a drift alert says what drifted; its Compare opens Compare with both files and runs it', async (t) => {
    const page = await openApp(t);
    await page.waitForFunction(() => window.__mock.listenerCount('dataset-drifted') === 1);
    const alerts = page.getByTestId('drift-alert');

    await page.evaluate((d) => window.__mock.emit('dataset-drifted', d), { ...DRIFTED, drifted_columns: 3, drifted: DRIFTED.drifted.slice(0, 3) });
    await alerts.first().waitFor();
    assert.equal(
      await alerts.getByTestId('drift-alert-text').innerText(),
      'Drift in fraud-detection: cur_800.parquet vs ref_800.csv — 3 of 9 columns drifted (num_normal_b, num_lognorm_b, cat_low_b)',
    );
    // The same files again: the newer result replaces the alert.
    await page.evaluate((d) => window.__mock.emit('dataset-drifted', d), DRIFTED);
    await alerts.getByTestId('drift-alert-text').filter({ hasText: '4 of 9 columns drifted (num_normal_b, num_lognorm_b, cat_low_b, …)' }).waitFor();
    assert.equal(await alerts.count(), 1);
    // Another project's files: a second alert, on top.
    await page.evaluate(
      (d) => window.__mock.emit('dataset-drifted', { ...d, project_id: 2, project: 'churn', reference: '/home/ana/work/churn/ref.csv', current: '/home/ana/work/churn/cur.csv', drifted: ['tenure'], drifted_columns: 1 }),
      DRIFTED,
    );
    await alerts.nth(1).waitFor();
    assert.match(await alerts.first().innerText(), /Drift in churn/);
    await screenshot(page, 'drift-alerts');

    await alerts.filter({ hasText: 'fraud-detection' }).getByTestId('drift-alert-compare').click();
    await page.getByTestId('view-compare').waitFor();
    assert.equal(await page.getByTestId('nav-compare').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('path-reference').inputValue(), REF);
    assert.equal(await page.getByTestId('path-current').inputValue(), CUR);
    await page.getByTestId('drift-progress').waitFor();
    const [sent] = await calls(page, 'compare_datasets');
    assert.deepEqual(sent.request, { reference: REF, current: CUR, columns: null, method: null, threshold: null, drift_share: 0.3 });
    await page.evaluate(() => window.__mock.drift.finish());
    await page.getByTestId('drift-verdict').waitFor();
    assert.equal((await calls(page, 'compare_datasets')).length, 1, 'run once');

    // That alert is done with; the other is dismissed by hand.
    assert.equal(await alerts.count(), 1);
    assert.match(await alerts.innerText(), /Drift in churn/);
    await alerts.getByTestId('drift-alert-dismiss').click();
    await alerts.first().waitFor({ state: 'detached' });
    assert.equal((await calls(page, 'compare_datasets')).length, 1);
  });

  test('the error banner copies a plain-text report; its message is selectable', async (t) => {
    const bad = '/home/ana/notes.txt';
    const message = 'project folder /home/ana/notes.txt is not a directory';
    const page = await openApp(t, { dialogPath: bad, addErrors: { [bad]: { code: 'bad_input', message } } });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    await openProjects(page);
    await page.getByTestId('add-folder').click();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    assert.equal(await banner.getByTestId('error-message').evaluate((e) => getComputedStyle(e).userSelect), 'text');
    assert.equal(await banner.getByTestId('error-code').evaluate((e) => getComputedStyle(e).userSelect), 'text');

    const copy = banner.getByTestId('error-copy');
    assert.equal(await copy.innerText(), 'Copy details');
    await copy.click();
    await copy.filter({ hasText: 'Copied' }).waitFor();
    const text = await page.evaluate(() => navigator.clipboard.readText());
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 5), [
      'Driftdeck error: Invalid input',
      `Message: ${message}`,
      'Code: bad_input',
      'View: Projects',
      'Version: Driftdeck 0.1.0',
    ]);
    assert.match(lines[5], /^Time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const shown = Date.parse(lines[5].slice('Time: '.length));
    assert.ok(Math.abs(Date.now() - shown) < 10 * 60_000, `a time near now: ${lines[5]}`);
    assert.deepEqual(lines.slice(6), ['']);
    // "Copied" goes back after a moment.
    await copy.filter({ hasText: 'Copy details' }).waitFor();
  });

  test('native menu: views, Settings, Filter, About, the docs, Add folder and the demo', async (t) => {
    const picked = '/home/ana/work/credit-scoring';
    const page = await openApp(t, { dialogPath: picked, info: { ...INFO, demo_path: DEMO_PATH } });
    await page.waitForFunction(() => window.__mock.listenerCount('menu') === 1);
    const menu = (id) => page.evaluate((i) => window.__mock.emit('menu', { id: i }), id);
    const current = () => page.getByTestId('sidebar').locator('[aria-current="page"]').getAttribute('data-testid');

    for (const id of ['datasets', 'compare', 'fairness', 'models', 'projects', 'runs']) {
      await menu(`view-${id}`);
      await page.getByTestId(`view-${id}`).waitFor();
      assert.equal(await current(), `nav-${id}`);
    }
    await menu('settings');
    await page.getByTestId('view-settings').waitFor();
    await menu('view-projects');
    await page.getByTestId('view-projects').waitFor();
    await menu('view-settings');
    await page.getByTestId('view-settings').waitFor();
    assert.equal(await current(), 'nav-settings');

    // Filter: to Runs (out of an open run, too), the filter box focused.
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('run-row').filter({ hasText: 'gbm-a' }).click();
    await page.getByTestId('compare-panel').waitFor();
    await menu('view-models');
    await page.getByTestId('view-models').waitFor();
    await menu('filter');
    await page.getByTestId('filter-input').waitFor();
    await page.waitForFunction(() => document.activeElement?.dataset.testid === 'filter-input');
    await page.keyboard.type('metrics.auc > 0.9');
    await page.keyboard.press('Enter');
    await page.getByTestId('runs-count').filter({ hasText: '2 of 5 runs' }).waitFor();

    // About: version, catalog, the docs (in the system browser), Escape closes it.
    await menu('about');
    const about = page.getByTestId('about-dialog');
    await about.waitFor();
    assert.equal(await about.getByTestId('about-version').innerText(), 'Version 0.1.0');
    assert.equal(await about.getByTestId('about-catalog').innerText(), INFO.catalog_path);
    await screenshot(page, 'about');
    await about.getByTestId('about-docs').click();
    await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === 'open_link'));
    assert.deepEqual(await calls(page, 'open_link'), [{ url: DOCS_URL }]);
    assert.equal(page.url().endsWith('/index.html'), true, 'the page did not navigate');
    await page.keyboard.press('Escape');
    await about.waitFor({ state: 'detached' });
    await menu('about');
    await about.getByTestId('about-close').click();
    await about.waitFor({ state: 'detached' });

    // Help → Documentation.
    await menu('docs');
    await page.waitForFunction(() => window.__mock.calls.filter((c) => c.cmd === 'open_link').length === 2);
    assert.deepEqual((await calls(page, 'open_link'))[1], { url: DOCS_URL });

    // File → Add Folder: the picker, then the new project in Projects.
    await menu('add-folder');
    await page.getByTestId('project-row').filter({ hasText: 'credit-scoring' }).waitFor();
    assert.deepEqual(await calls(page, 'add_project'), [{ path: picked }]);
    assert.equal(await current(), 'nav-projects');

    // File → Open Demo: the demo project, then its runs.
    await menu('open-demo');
    await page.locator('[data-testid="nav-runs"][aria-current="page"]').waitFor();
    assert.deepEqual(await calls(page, 'add_demo_project'), [{}]);

    // An id this UI does not know changes nothing.
    await menu('view-lineage');
    assert.equal(await current(), 'nav-runs');
    assert.equal(await page.getByTestId('error-banner').count(), 0);
  });
});
