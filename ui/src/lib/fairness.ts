/**
 * The Fairness view's logic, free of Svelte and the DOM: the form (what the
 * engine guessed, the choices it offers, its checks and the request it
 * makes), the verdict's words, the group and disparity tables' cells, the
 * chart's caption, the "what moved" order and export names.
 *
 * Undefined is not zero: a rate a group cannot have (a true positive rate
 * without positive labels) is null from the engine and "—" here, with the
 * reason, never a number.
 */
import type {
  Dataset,
  FairnessChange,
  FairnessColumn,
  FairnessColumns,
  FairnessDisparity,
  FairnessGroup,
  FairnessGrouping,
  FairnessInterval,
  FairnessReport,
  FairnessRequest,
} from './backend';
import { isDataFile } from './drift';
import { formatCount, formatNumber } from './format';
import { baseName } from './projects';

/** Names as people read them ("g2" before "g10"). */
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

// ---------------------------------------------------------------------------
// Defaults (the engine's, src/fairness/metrics.rs, shown in the form)

/** Groups with fewer rows are flagged: a rate over 30 rows has a standard error of up to 0.09. */
export const DEFAULT_MIN_GROUP_SIZE = 30;
/** A score at or above it is a positive prediction. */
export const DEFAULT_SCORE_THRESHOLD = 0.5;
/** A difference between groups above it is a violation. */
export const DEFAULT_MAX_DIFFERENCE = 0.1;
/** A ratio between groups below it is a violation: the four-fifths rule. */
export const DEFAULT_MIN_RATIO = 0.8;
/** The US EEOC's four-fifths rule, which the disparate impact row is always held to. */
export const FOUR_FIFTHS = 0.8;
/** Bootstrap replicates: they resample counts, not rows, so 2000 costs milliseconds. */
export const BOOTSTRAP_REPLICATES = 2000;
/** A label with at most this many values offers them in a select; more (or unknown) takes text. */
export const FEW_VALUES = 10;

// ---------------------------------------------------------------------------
// Metrics

/** The per-group metrics, in the group table's order (Fairlearn's names). */
export const FAIRNESS_METRICS = [
  'selection_rate',
  'true_positive_rate',
  'false_positive_rate',
  'true_negative_rate',
  'false_negative_rate',
  'accuracy',
  'precision',
] as const;

export type FairnessMetric = (typeof FAIRNESS_METRICS)[number];

/** What the bars show until another metric is chosen: demographic parity's metric. */
export const DEFAULT_CHART_METRIC: FairnessMetric = 'selection_rate';

export const METRIC_LABELS: Record<FairnessMetric, string> = {
  selection_rate: 'Selection rate',
  true_positive_rate: 'True positive rate',
  false_positive_rate: 'False positive rate',
  true_negative_rate: 'True negative rate',
  false_negative_rate: 'False negative rate',
  accuracy: 'Accuracy',
  precision: 'Precision',
};

/** Short headers for the group table, with the full name on hover. */
export const METRIC_SHORT: Record<FairnessMetric, string> = {
  selection_rate: 'Selection',
  true_positive_rate: 'TPR',
  false_positive_rate: 'FPR',
  true_negative_rate: 'TNR',
  false_negative_rate: 'FNR',
  accuracy: 'Accuracy',
  precision: 'Precision',
};

export function isFairnessMetric(name: string): name is FairnessMetric {
  return (FAIRNESS_METRICS as readonly string[]).includes(name);
}

/** A metric's name for people: "True positive rate"; unknown names as they are. */
export function metricLabel(name: string): string {
  return isFairnessMetric(name) ? METRIC_LABELS[name] : name;
}

export type MetricCell = { text: string; title: string; undefined: boolean };

/** A group's metric for a table cell: the rate, or "—" with why it is undefined. */
export function metricCell(group: FairnessGroup, metric: FairnessMetric): MetricCell {
  const value = group[metric];
  if (value !== null && Number.isFinite(value)) {
    return { text: formatRate(value), title: `${METRIC_LABELS[metric]}: ${value}`, undefined: false };
  }
  const reason = group.undefined.find((u) => u.metric === metric)?.reason ?? 'not defined for this group';
  return { text: '—', title: `Undefined: ${reason}`, undefined: true };
}

/** A rate, a difference or a ratio: four significant digits ("0.2559"), "—" when there is none. */
export function formatRate(value: number | null): string {
  return value === null || !Number.isFinite(value) ? '—' : formatNumber(value);
}

/** A change with its sign: "+0.0523", "−0.1", "0". */
export function formatChange(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  return value > 0 ? `+${formatNumber(value)}` : `−${formatNumber(-value)}`;
}

// ---------------------------------------------------------------------------
// The file

/** Where a file goes: the predictions to check, or the earlier file they are compared with. */
export type FairnessSlot = 'predictions' | 'baseline';

export type DatasetGroup = { project: string; datasets: { path: string; label: string }[] };

/** The catalog's datasets for the select: by project, then path, as people read them. */
export function datasetOptions(datasets: readonly Dataset[]): DatasetGroup[] {
  const groups = new Map<string, DatasetGroup>();
  const sorted = [...datasets].sort((a, b) => collator.compare(a.project, b.project) || collator.compare(a.path, b.path));
  for (const d of sorted) {
    let group = groups.get(d.project);
    if (!group) groups.set(d.project, (group = { project: d.project, datasets: [] }));
    group.datasets.push({ path: d.absolute_path, label: d.rows === null ? d.path : `${d.path} (${formatCount(d.rows)} rows)` });
  }
  return [...groups.values()];
}

// ---------------------------------------------------------------------------
// Columns and guesses

export function columnByName(columns: FairnessColumns | null, name: string): FairnessColumn | null {
  return columns?.columns.find((c) => c.name === name) ?? null;
}

/** A column in a select: "age_group · str · 4 values". */
export function columnOptionLabel(column: FairnessColumn): string {
  const values = column.distinct === null ? '' : ` · ${formatCount(column.distinct)} ${column.distinct === 1 ? 'value' : 'values'}`;
  return `${column.name} · ${column.dtype}${values}`;
}

/** Whether a column holds scores (compared with a threshold) rather than classes: numbers with more than two values. */
export function isScoreColumn(column: FairnessColumn): boolean {
  if (column.kind !== 'numerical') return false;
  if (column.distinct !== null) return column.distinct > 2;
  return /^f(32|64)$/.test(column.dtype);
}

/** Whether the chosen prediction column holds scores: the engine's word for its own guess, the column's look otherwise. */
export function predictionIsScore(columns: FairnessColumns | null, prediction: string): boolean {
  if (columns === null || prediction === '') return false;
  if (prediction === columns.guess.prediction) return columns.guess.score;
  const column = columnByName(columns, prediction);
  return column !== null && isScoreColumn(column);
}

/** The label's values to choose the positive one from, or null when they are many or unknown (a text field then). */
export function positiveLabelChoices(column: FairnessColumn | null): string[] | null {
  if (column === null || column.values === null || column.values.length === 0) return null;
  if (column.values.length > FEW_VALUES) return null;
  if (column.distinct !== null && column.distinct > column.values.length) return null;
  return column.values;
}

/** Values people mean by "positive", in order of preference. */
const POSITIVE_WORDS = ['1', '1.0', 'true', 'yes', 'y', 'positive', 'pos'];

/**
 * The positive label to preselect for `label`: the engine's guess for its own
 * label guess; otherwise the value that reads as positive ("1", "true",
 * "yes"), or '' (the engine chooses).
 */
export function defaultPositiveLabel(columns: FairnessColumns | null, label: string): string {
  if (columns === null || label === '') return '';
  if (label === columns.guess.label && columns.guess.positive_label !== null) return columns.guess.positive_label;
  const values = columnByName(columns, label)?.values ?? [];
  for (const word of POSITIVE_WORDS) {
    const found = values.find((v) => v.toLowerCase() === word);
    if (found !== undefined) return found;
  }
  return '';
}

/** A warning for a label that cannot be a binary classifier's: more than two values. */
export function labelWarning(column: FairnessColumn | null): string | null {
  if (column === null || column.distinct === null || column.distinct <= 2) return null;
  return `${column.name} has ${formatCount(column.distinct)} values; a label has two classes`;
}

export type FairnessChoice = { label: string; prediction: string; positiveLabel: string; sensitive: string[] };

/** The form's choices for a newly read file: the engine's guesses (unknown names dropped). */
export function preselect(columns: FairnessColumns): FairnessChoice {
  const exists = (name: string | null): name is string => name !== null && columnByName(columns, name) !== null;
  const label = exists(columns.guess.label) ? columns.guess.label : '';
  const prediction = exists(columns.guess.prediction) ? columns.guess.prediction : '';
  return {
    label,
    prediction,
    positiveLabel: defaultPositiveLabel(columns, label),
    sensitive: columns.guess.sensitive.filter((name) => exists(name) && name !== label && name !== prediction),
  };
}

/** The columns offered as sensitive: every column but the label and the prediction. */
export function sensitiveCandidates(columns: FairnessColumns | null, label: string, prediction: string): FairnessColumn[] {
  return columns === null ? [] : columns.columns.filter((c) => c.name !== label && c.name !== prediction);
}

/** `chosen` with `name` added or taken out. */
export function toggleName(chosen: readonly string[], name: string): string[] {
  return chosen.includes(name) ? chosen.filter((n) => n !== name) : [...chosen, name];
}

/**
 * What was guessed, for the line under the file: "Guessed the label (label,
 * positive 1), the prediction (score, a score) and the sensitive columns (sex,
 * age_group)", and what is left to choose.
 */
export function guessSummary(columns: FairnessColumns): string {
  const g = columns.guess;
  const found: string[] = [];
  const missing: string[] = [];
  if (g.label !== null) found.push(`the label (${g.label}${g.positive_label !== null ? `, positive ${g.positive_label}` : ''})`);
  else missing.push('the label');
  if (g.prediction !== null) found.push(`the prediction (${g.prediction}${g.score ? ', a score' : ''})`);
  else missing.push('the prediction');
  if (g.sensitive.length > 0) found.push(`the sensitive columns (${g.sensitive.join(', ')})`);
  else missing.push('the sensitive columns');
  if (found.length === 0) return 'Nothing could be guessed: choose the columns below.';
  const choose = missing.length > 0 ? `; choose ${inWords(missing)}` : '';
  return `Guessed ${inWords(found)}${choose}.`;
}

/** "a", "a and b", "a, b and c". */
function inWords(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---------------------------------------------------------------------------
// The form

export type FairnessForm = {
  path: string | null;
  label: string;
  prediction: string;
  /** '' lets the engine choose. */
  positiveLabel: string;
  /** Used only when the prediction column holds scores. */
  thresholdText: string;
  sensitive: readonly string[];
  minGroupSizeText: string;
  /** An earlier file to compare with; '' for none. */
  compareWith: string;
  bootstrap: boolean;
  seedText: string;
  maxDifferenceText: string;
  minRatioText: string;
};

export type FairnessField =
  | 'path'
  | 'label'
  | 'prediction'
  | 'sensitive'
  | 'threshold'
  | 'minGroupSize'
  | 'compareWith'
  | 'seed'
  | 'maxDifference'
  | 'minRatio';

export type FairnessCheck = {
  /** The request to send; null while the file, its columns or a choice are missing or a field is wrong. */
  request: FairnessRequest | null;
  /** What is wrong, per field, in words for the form. */
  errors: Partial<Record<FairnessField, string>>;
};

/** A plain decimal number ("0.5", ".5", "-1", "1e-3"), or null for anything else (including ""). */
function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** A whole number written plainly ("30"), or null. */
function parseWhole(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

const NOT_TABULAR = 'is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)';

/**
 * Checks the form against the file's columns and builds the request. The
 * columns must have been read (they are what the choices come from); the
 * engine still judges what it alone can (a label that is not binary, a
 * positive label that does not occur) and says so with an AppError.
 */
export function checkFairnessForm(form: FairnessForm, columns: FairnessColumns | null): FairnessCheck {
  const errors: FairnessCheck['errors'] = {};
  if (form.path !== null && !isDataFile(form.path)) errors.path = `${baseName(form.path)} ${NOT_TABULAR}`;

  if (columns !== null) {
    if (form.label === '') errors.label = 'Choose the label column';
    else if (columnByName(columns, form.label) === null) errors.label = `There is no column ${form.label}`;
    if (form.prediction === '') errors.prediction = 'Choose the prediction column';
    else if (columnByName(columns, form.prediction) === null) errors.prediction = `There is no column ${form.prediction}`;
    else if (form.prediction === form.label) errors.prediction = 'The prediction is another column than the label';
  }
  // In the file's order, without the label and prediction (their boxes are not offered).
  const sensitive = sensitiveCandidates(columns, form.label, form.prediction)
    .map((c) => c.name)
    .filter((name) => form.sensitive.includes(name));
  if (columns !== null && sensitive.length === 0) errors.sensitive = 'Choose at least one sensitive column';

  const score = predictionIsScore(columns, form.prediction);
  let threshold: number | null = null;
  if (score) {
    threshold = parseDecimal(form.thresholdText);
    if (threshold === null) errors.threshold = 'The score threshold is a number (scores at or above it are positive)';
  }

  const minGroupSize = parseWhole(form.minGroupSizeText);
  if (minGroupSize === null || minGroupSize < 1) errors.minGroupSize = 'The minimum group size is a whole number of rows, 1 or more';

  const maxDifference = parseDecimal(form.maxDifferenceText);
  if (maxDifference === null || maxDifference <= 0 || maxDifference > 1) {
    errors.maxDifference = 'The largest difference is above 0 and at most 1 (0.1 = ten points)';
  }
  const minRatio = parseDecimal(form.minRatioText);
  if (minRatio === null || minRatio <= 0 || minRatio > 1) {
    errors.minRatio = 'The smallest ratio is above 0 and at most 1 (0.8 = the four-fifths rule)';
  }

  const compareWith = form.compareWith.trim();
  if (compareWith !== '') {
    if (!isDataFile(compareWith)) errors.compareWith = `${baseName(compareWith)} ${NOT_TABULAR}`;
    else if (compareWith === form.path) errors.compareWith = 'The earlier file is another file than the one checked';
  }

  let seed: number | null = null;
  if (form.bootstrap) {
    seed = parseWhole(form.seedText);
    if (seed === null) errors.seed = 'The seed is a whole number, 0 or more';
  }

  const ready = form.path !== null && columns !== null && Object.keys(errors).length === 0;
  return {
    request: ready
      ? {
          path: form.path as string,
          label: form.label,
          prediction: form.prediction,
          sensitive,
          positive_label: form.positiveLabel.trim() === '' ? null : form.positiveLabel,
          score_threshold: threshold,
          min_group_size: minGroupSize,
          compare_with: compareWith === '' ? null : compareWith,
          bootstrap: seed === null ? null : { replicates: BOOTSTRAP_REPLICATES, seed },
          max_difference: maxDifference,
          min_ratio: minRatio,
        }
      : null,
    errors,
  };
}

// ---------------------------------------------------------------------------
// The verdict

/** "3 fairness violations", "1 fairness violation", "No violations". */
export function fairnessVerdictTitle(report: Pick<FairnessReport, 'violations'>): string {
  if (report.violations === 0) return 'No violations';
  return `${formatCount(report.violations)} fairness ${report.violations === 1 ? 'violation' : 'violations'}`;
}

/** What the disparities are held against: "difference ≤ 0.1 and ratio ≥ 0.8 between groups (four-fifths rule at 0.8)". */
export function thresholdsText(report: Pick<FairnessReport, 'max_difference' | 'min_ratio'>): string {
  const rule = report.min_ratio === FOUR_FIFTHS ? ' (the four-fifths rule)' : '';
  return `difference ≤ ${formatNumber(report.max_difference)}, ratio ≥ ${formatNumber(report.min_ratio)}${rule}, between groups`;
}

/** A grouping's name: its column, or the intersection "sex × age_group". */
export function groupingName(grouping: Pick<FairnessGrouping, 'columns'>): string {
  return grouping.columns.join(' × ');
}

/** The judged disparities (between groups), in the engine's order. */
export function judgedDisparities(grouping: FairnessGrouping): FairnessDisparity[] {
  return grouping.disparities.filter((d) => d.method === 'between_groups');
}

/** The disparities to the overall rate: shown, not judged. */
export function overallDisparities(grouping: FairnessGrouping): FairnessDisparity[] {
  return grouping.disparities.filter((d) => d.method === 'to_overall');
}

/** The violations of one grouping: its judged disparities that fail. */
export function groupingViolations(grouping: FairnessGrouping): number {
  return judgedDisparities(grouping).filter((d) => d.violated === true).length;
}

/** Where the violations are: "sex 2, age_group 4, sex × age_group 5"; groupings without any left out. */
export function violationsWhere(report: Pick<FairnessReport, 'groupings'>): string {
  return report.groupings
    .map((g) => [groupingName(g), groupingViolations(g)] as const)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${formatCount(n)}`)
    .join(', ');
}

/** The groups flagged as too small, over all groupings. */
export function smallGroups(report: Pick<FairnessReport, 'groupings'>): number {
  return report.groupings.reduce((n, g) => n + g.groups.filter((group) => group.below_min_size).length, 0);
}

// ---------------------------------------------------------------------------
// The disparity table

const DISPARITY_LABELS: Record<string, string> = {
  demographic_parity_difference: 'Demographic parity difference',
  demographic_parity_ratio: 'Demographic parity ratio',
  equalized_odds_difference: 'Equalized odds difference',
  equalized_odds_ratio: 'Equalized odds ratio',
  equal_opportunity_difference: 'Equal opportunity difference',
  equal_opportunity_ratio: 'Equal opportunity ratio',
  disparate_impact: 'Disparate impact (four-fifths rule)',
};

const DISPARITY_MEANINGS: Record<string, string> = {
  demographic_parity: 'selection rates',
  equalized_odds: 'true and false positive rates, the worse of the two',
  equal_opportunity: 'true positive rates',
};

/** A disparity's name for people: "Equalized odds ratio". */
export function disparityLabel(name: string): string {
  return DISPARITY_LABELS[name] ?? name;
}

/** What a disparity compares, for a tooltip: "Largest gap in selection rates between two groups". */
export function disparityMeaning(d: Pick<FairnessDisparity, 'name' | 'kind' | 'method'>): string {
  const base = d.name.replace(/_(difference|ratio)$/, '');
  const what = DISPARITY_MEANINGS[base] ?? base;
  if (d.method === 'to_overall') {
    return d.kind === 'difference'
      ? `Largest gap between a group's ${what} and the overall one`
      : `Smallest ratio between a group's ${what} and the overall one`;
  }
  return d.kind === 'difference'
    ? `Largest gap in ${what} between two groups`
    : `Lowest group's ${what} over the highest's`;
}

/** The threshold the way it is held: "≤ 0.1" for differences, "≥ 0.8" for ratios. */
export function thresholdCell(kind: 'difference' | 'ratio', threshold: number): string {
  return `${kind === 'difference' ? '≤' : '≥'} ${formatNumber(threshold)}`;
}

/** A bootstrap interval: "0.052 – 0.14 (95%)"; '' when there is none. */
export function intervalText(interval: FairnessInterval | null): string {
  if (interval === null) return '';
  return `${formatRate(interval.low)} – ${formatRate(interval.high)} (${Number((interval.confidence * 100).toFixed(1))}%)`;
}

export type Verdict = 'fail' | 'pass' | 'undefined';

/** The verdict badge's text. */
export const VERDICT_LABELS: Record<Verdict, string> = { fail: 'Fail', pass: 'Pass', undefined: '—' };

export function verdictOf(violated: boolean | null): Verdict {
  return violated === null ? 'undefined' : violated ? 'fail' : 'pass';
}

/** A row of the disparity table: a judged disparity, or the four-fifths rule on selection rates. */
export type DisparityRow = {
  name: string;
  label: string;
  meaning: string;
  value: number | null;
  interval: FairnessInterval | null;
  threshold: string;
  verdict: Verdict;
  /** For disparate impact: which groups are lowest and highest. */
  note: string | null;
};

/** The disparity table of a grouping: the judged disparities, then disparate impact. */
export function disparityRows(grouping: FairnessGrouping): DisparityRow[] {
  const rows: DisparityRow[] = judgedDisparities(grouping).map((d) => ({
    name: d.name,
    label: disparityLabel(d.name),
    meaning: disparityMeaning(d),
    value: d.value,
    interval: d.interval,
    threshold: thresholdCell(d.kind, d.threshold),
    verdict: verdictOf(d.violated),
    note: null,
  }));
  const di = grouping.disparate_impact;
  rows.push({
    name: 'disparate_impact',
    label: disparityLabel('disparate_impact'),
    meaning: 'Lowest group selection rate over the highest; below 0.8 is evidence of adverse impact (US EEOC)',
    value: di.ratio,
    interval: di.interval,
    threshold: thresholdCell('ratio', FOUR_FIFTHS),
    verdict: verdictOf(di.four_fifths_violation),
    note: di.lowest_group !== null && di.highest_group !== null ? `lowest ${di.lowest_group}, highest ${di.highest_group}` : null,
  });
  return rows;
}

/** Why a disparity has no value. */
export const UNDEFINED_DISPARITY = 'Undefined: fewer than two groups have this metric, or a ratio of 0 to 0';

// ---------------------------------------------------------------------------
// The chart

/**
 * The parity band drawn around the overall value, in words for the chart's
 * caption: within the largest difference of the overall value, and the ratio
 * band (overall × min ratio up to overall / min ratio).
 */
export function bandCaption(
  report: Pick<FairnessReport, 'overall' | 'max_difference' | 'min_ratio'>,
  metric: FairnessMetric,
): string {
  const overall = report.overall[metric];
  const name = METRIC_LABELS[metric].toLowerCase();
  if (overall === null || !Number.isFinite(overall)) return `The overall ${name} is undefined: no line and no band.`;
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  const d = report.max_difference;
  const r = report.min_ratio;
  const diff = `${formatRate(clip(overall - d))}–${formatRate(clip(overall + d))}`;
  const ratio = overall > 0 ? `${formatRate(clip(overall * r))}–${formatRate(clip(overall / r))}` : null;
  return (
    `Line: overall ${name} ${formatRate(overall)}. Parity band: within ${formatNumber(d)} of it (${diff})` +
    (ratio === null ? '.' : `; ratio ${formatNumber(r)} band ${ratio}.`)
  );
}

// ---------------------------------------------------------------------------
// What moved

const absChange = (c: FairnessChange) => (c.change === null || !Number.isFinite(c.change) ? null : Math.abs(c.change));

/** The changes largest first (by size, either way); changes that could not be computed last; ties by grouping, group, metric. */
export function sortChanges(changes: readonly FairnessChange[]): FairnessChange[] {
  return [...changes].sort((a, b) => {
    const x = absChange(a);
    const y = absChange(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return collator.compare(a.grouping, b.grouping) || collator.compare(a.group, b.group) || collator.compare(a.metric, b.metric);
  });
}

/** Changes shown before "show all". */
export const CHANGES_SHOWN = 15;

// ---------------------------------------------------------------------------
// Exports

/** A file name for an export: "fairness-predictions_800.html". */
export function fairnessExportName(report: Pick<FairnessReport, 'data'>, extension: string): string {
  const name = baseName(report.data.path);
  const dot = name.lastIndexOf('.');
  const stem = (dot > 0 ? name.slice(0, dot) : name).replace(/[^\w.-]+/g, '_');
  return `fairness-${stem}.${extension}`;
}
