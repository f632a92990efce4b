/**
 * The Compare (dataset drift) view's logic, free of Svelte and the DOM: which
 * file is the reference and which the current, the options form and the
 * request it makes, progress, the verdict's words, the column table's order
 * and numbers, sparkline geometry, and the details pane's rows.
 */
import type {
  DriftBars,
  DriftColumn,
  DriftHistogram,
  DriftMethod,
  DriftNumber,
  DriftProgress,
  DriftReport,
  DriftRequest,
  SideSummary,
} from './backend';
import { formatCount, formatNumber, formatPercent, metricNumber } from './format';
import { baseName } from './projects';

/**
 * The extensions offered by the file picker and accepted from drops. The
 * engine reads CSV, TSV, Parquet, Arrow IPC (Feather) and NDJSON by extension
 * (src/data/mod.rs, `TabularFormat::from_extension`).
 */
export const DATA_FILE_EXTENSIONS = ['csv', 'tsv', 'parquet', 'pq', 'arrow', 'feather', 'ipc', 'ndjson', 'jsonl'] as const;

/** Whether a path names a file the engine reads, by its extension (any case). */
export function isDataFile(path: string): boolean {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return (DATA_FILE_EXTENSIONS as readonly string[]).includes(name.slice(dot + 1).toLowerCase());
}

// ---------------------------------------------------------------------------
// The two files

export type Slot = 'reference' | 'current';
export type FilePair = { reference: string | null; current: string | null };

/**
 * Where dropped (or picked) files go. Two or more at once: the first is the
 * reference, the second the current, wherever they land. One file: the slot it
 * was dropped on; elsewhere the first empty slot, and when both are full it
 * replaces the current file (the usual next step: the same reference against
 * a newer batch). `ignored` counts the files beyond two.
 */
export function placeFiles(pair: FilePair, paths: readonly string[], slot: Slot | null = null): { pair: FilePair; ignored: number } {
  if (paths.length === 0) return { pair, ignored: 0 };
  if (paths.length >= 2) return { pair: { reference: paths[0], current: paths[1] }, ignored: paths.length - 2 };
  const path = paths[0];
  const into: Slot = slot ?? (pair.reference === null ? 'reference' : 'current');
  return { pair: { ...pair, [into]: path }, ignored: 0 };
}

export function swapFiles(pair: FilePair): FilePair {
  return { reference: pair.current, current: pair.reference };
}

// ---------------------------------------------------------------------------
// The options form

export type DriftForm = FilePair & {
  /** Column names separated by commas or new lines; empty: every column both files have. */
  columnsText: string;
  /** A method name; empty: chosen per column by kind and size. */
  method: string;
  thresholdText: string;
  driftShareText: string;
};

export type FormField = 'reference' | 'current' | 'columns' | 'method' | 'threshold' | 'driftShare';

export type FormCheck = {
  /** The request to send; null while a file is missing or a field is wrong. */
  request: DriftRequest | null;
  /** What is wrong, per field, in words for the form. */
  errors: Partial<Record<FormField, string>>;
};

export const DEFAULT_DRIFT_SHARE = 0.5;

/** A plain decimal number ("0.05", ".5", "1e-3"), or null for anything else (including ""). */
function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** The column names of the columns field: trimmed, empty ones dropped, each once, in the order written. */
export function parseColumns(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[,\n]/)) {
    const name = part.trim();
    if (name !== '') seen.add(name);
  }
  return [...seen];
}

/** Checks the form against the methods the engine offers and builds the request. */
export function checkDriftForm(form: DriftForm, methods: readonly DriftMethod[] | null): FormCheck {
  const errors: FormCheck['errors'] = {};
  for (const slot of ['reference', 'current'] as const) {
    const path = form[slot];
    if (path !== null && !isDataFile(path)) {
      errors[slot] = `${baseName(path)} is not a tabular file (CSV, TSV, Parquet, Arrow or NDJSON)`;
    }
  }

  const method = form.method.trim();
  const chosen = method === '' ? null : (methods?.find((m) => m.name === method) ?? null);
  if (method !== '' && methods !== null && chosen === null) errors.method = `unknown method ${method}`;

  let threshold: number | null = null;
  if (form.thresholdText.trim() !== '') {
    threshold = parseDecimal(form.thresholdText);
    if (threshold === null || threshold <= 0) {
      errors.threshold = 'The threshold is a positive number';
    } else if (chosen?.has_p_value && threshold >= 1) {
      errors.threshold = `${chosen.label} compares a p-value: the threshold is below 1`;
    }
  }

  let driftShare: number | null = null;
  if (form.driftShareText.trim() !== '') {
    driftShare = parseDecimal(form.driftShareText);
    if (driftShare === null || driftShare <= 0 || driftShare > 1) {
      errors.driftShare = 'The drift share is a fraction of the columns, above 0 and at most 1 (0.5 = half)';
    }
  }

  const columns = parseColumns(form.columnsText);
  const ready = form.reference !== null && form.current !== null && Object.keys(errors).length === 0;
  return {
    request: ready
      ? {
          reference: form.reference as string,
          current: form.current as string,
          columns: columns.length > 0 ? columns : null,
          method: method === '' ? null : method,
          threshold,
          drift_share: driftShare,
        }
      : null,
    errors,
  };
}

/** The method select's option text: the label and the kinds it tests. */
export function methodOptionLabel(method: DriftMethod): string {
  return method.kinds.length > 0 ? `${method.label} (${method.kinds.join(', ')})` : method.label;
}

/** The threshold field's placeholder: the chosen method's default, or a word for "per method". */
export function thresholdPlaceholder(method: DriftMethod | null): string {
  return method === null ? 'method default' : `default ${formatNumber(method.default_threshold)}`;
}

// ---------------------------------------------------------------------------
// Progress

const PHASE_LABELS: Record<DriftProgress['phase'], string> = {
  reading: 'Reading files',
  profiling: 'Profiling columns',
  testing: 'Testing columns',
  done: 'Done',
};

/** "Profiling columns 3/20"; the counts are left out while the total is unknown. */
export function progressLabel(progress: DriftProgress | null): string {
  if (progress === null) return 'Starting…';
  const phase = PHASE_LABELS[progress.phase] ?? progress.phase;
  return progress.total > 0 ? `${phase} ${formatCount(progress.done)}/${formatCount(progress.total)}` : phase;
}

/** How far the phase is, from 0 to 1; null while its total is unknown (an indeterminate bar). */
export function progressFraction(progress: DriftProgress | null): number | null {
  if (progress === null || !(progress.total > 0)) return null;
  return Math.min(1, Math.max(0, progress.done / progress.total));
}

// ---------------------------------------------------------------------------
// The verdict

export function verdictTitle(report: Pick<DriftReport, 'dataset_drift'>): string {
  return report.dataset_drift ? 'Dataset drift detected' : 'No dataset drift';
}

/** A fraction as a percentage for prose, to a tenth: 0.5 -> "50%", 0.125 -> "12.5%". */
export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${Number((share * 100).toFixed(1))}%` : '';
}

/** "3 of 20 columns drifted (15%)". */
export function shareText(report: Pick<DriftReport, 'drifted_columns' | 'tested_columns'>): string {
  const { drifted_columns: drifted, tested_columns: tested } = report;
  const pct = tested > 0 ? ` (${formatPercent(drifted, tested)})` : '';
  return `${formatCount(drifted)} of ${formatCount(tested)} ${tested === 1 ? 'column' : 'columns'} drifted${pct}`;
}

/** What the share is held against: "dataset drift at 50% or more". */
export function driftShareText(report: Pick<DriftReport, 'drift_share'>): string {
  return `dataset drift at ${formatShare(report.drift_share)} or more`;
}

/** Whether the files differ in columns or types. */
export function schemaChanged(schema: DriftReport['schema']): boolean {
  return schema.added.length + schema.removed.length + schema.type_changed.length > 0;
}

// ---------------------------------------------------------------------------
// Numbers in the table

/** A statistic as a number: the spelled-out non-finite values become real ones. */
export function driftNumber(value: DriftNumber | null | undefined): number | null {
  return metricNumber(value);
}

/** A p-value, shortened like other numbers ("1.527e-5"); one below what a double holds is 0, shown as such. */
export function formatPValue(p: number | null): string {
  return p === null ? '' : formatNumber(p);
}

export type ScoreParts = { score: string; comparison: '<' | '≥'; threshold: string; name: 'p' | 'distance' };

/**
 * The score against its threshold the way the rule reads it, oriented by the
 * verdict: "p 1.5e-5 < 0.05" drifted, "distance 0.04 < 0.1" not.
 */
export function scoreParts(column: Pick<DriftColumn, 'score' | 'threshold' | 'rule' | 'drifted'>): ScoreParts | null {
  const score = driftNumber(column.score);
  if (score === null || column.threshold === null || column.rule === null) return null;
  const pValue = column.rule === 'p_value_below';
  const below = pValue === column.drifted;
  return {
    score: pValue ? formatPValue(score) : formatNumber(score),
    comparison: below ? '<' : '≥',
    threshold: formatNumber(column.threshold),
    name: pValue ? 'p' : 'distance',
  };
}

/** The rule in words: "drift when the p-value is below 0.05". */
export function ruleText(rule: DriftColumn['rule'], threshold: number | null): string {
  if (rule === null || threshold === null) return '';
  return rule === 'p_value_below'
    ? `drift when the p-value is below ${formatNumber(threshold)}`
    : `drift when the distance is at least ${formatNumber(threshold)}`;
}

/** An effect size in words: "Cohen's d 0.42 (medium)". */
export function effectText(effect: DriftColumn['effect_size']): string {
  return effect === null ? '' : `${effect.label} ${formatNumber(effect.value)} (${effect.magnitude})`;
}

/**
 * How far past its threshold a column is, on one scale for every method: 1
 * at the threshold, above 1 drifted. For p-values log(p)/log(threshold) (a p
 * ten times smaller than 0.05 is not "ten times the drift"), for distances
 * distance/threshold. Null when the column has no score.
 */
export function driftStrength(column: Pick<DriftColumn, 'score' | 'threshold' | 'rule'>): number | null {
  const score = driftNumber(column.score);
  const t = column.threshold;
  if (score === null || Number.isNaN(score) || t === null || !(t > 0) || column.rule === null) return null;
  if (column.rule === 'p_value_below') {
    if (t >= 1) return null;
    if (score <= 0) return Infinity;
    return Math.max(0, Math.log(Math.min(score, 1)) / Math.log(t));
  }
  return score / t;
}

// ---------------------------------------------------------------------------
// Order

export type DriftSortKey = 'drift' | 'column';
export type DriftSort = { key: DriftSortKey; direction: 'asc' | 'desc' };

/** Most drift first. */
export const DEFAULT_DRIFT_SORT: DriftSort = { key: 'drift', direction: 'desc' };

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Missing values last: null sorts below every number. */
function byNumberDesc(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return a === b ? 0 : a > b ? -1 : 1;
}

/** Most drift first: drifted columns, then the larger effect, then the further past the threshold, then by name. */
function byDrift(a: DriftColumn, b: DriftColumn): number {
  if (a.drifted !== b.drifted) return a.drifted ? -1 : 1;
  const effect = (c: DriftColumn) => (c.effect_size && Number.isFinite(c.effect_size.value) ? Math.abs(c.effect_size.value) : null);
  return (
    byNumberDesc(effect(a), effect(b)) ||
    byNumberDesc(driftStrength(a), driftStrength(b)) ||
    collator.compare(a.column, b.column)
  );
}

/**
 * The tested columns in table order. Drift descending is the default (most
 * drift first); ascending is its exact reverse. Names sort as people read
 * them ("num_2" before "num_10").
 */
export function sortDriftColumns(columns: readonly DriftColumn[], sort: DriftSort): DriftColumn[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const compare =
    sort.key === 'column'
      ? (a: DriftColumn, b: DriftColumn) => sign * collator.compare(a.column, b.column)
      : (a: DriftColumn, b: DriftColumn) => -sign * byDrift(a, b);
  return columns.filter((c) => c.testable).sort(compare);
}

/** A click on a header: the same key flips; drift starts with the most drift, names from A. */
export function nextDriftSort(current: DriftSort, key: DriftSortKey): DriftSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: key === 'drift' ? 'desc' : 'asc' };
}

export function ariaSort(sort: DriftSort, key: DriftSortKey): 'ascending' | 'descending' | 'none' {
  if (sort.key !== key) return 'none';
  return sort.direction === 'asc' ? 'ascending' : 'descending';
}

/** The columns that could not be tested, by name, with why. */
export function untestedColumns(columns: readonly DriftColumn[]): DriftColumn[] {
  return columns.filter((c) => !c.testable).sort((a, b) => collator.compare(a.column, b.column));
}

// ---------------------------------------------------------------------------
// Sparklines

/** Categories drawn in a sparkline; the details pane's chart shows them all. */
export const SPARK_CATEGORIES = 12;

export type SparkBar = { x: number; y: number; width: number; height: number; side: 'reference' | 'current' };

export type Sparkline =
  /** Histograms as step outlines: the reference as a filled area, the current as a line. */
  | { kind: 'histogram'; reference: string; current: string }
  /** Categories as pairs of bars, reference then current. */
  | { kind: 'bars'; bars: SparkBar[]; shown: number; total: number };

const round2 = (v: number) => Math.round(v * 100) / 100;
const share = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

function stepPoints(values: number[], width: number, height: number, max: number, closed: boolean): string {
  const n = values.length;
  const points: string[] = [`0,${height}`];
  values.forEach((v, i) => {
    const y = round2(height - (v / max) * height);
    points.push(`${round2((i * width) / n)},${y}`, `${round2(((i + 1) * width) / n)},${y}`);
  });
  points.push(`${width},${height}`);
  if (closed) points.push(`0,${height}`);
  return points.join(' ');
}

function histogramSpark(h: DriftHistogram, width: number, height: number): Sparkline | null {
  const n = h.reference.length;
  if (n === 0 || h.current.length !== n) return null;
  const ref = h.reference.map(share);
  const cur = h.current.map(share);
  const max = Math.max(...ref, ...cur);
  if (!(max > 0)) return null;
  return { kind: 'histogram', reference: stepPoints(ref, width, height, max, true), current: stepPoints(cur, width, height, max, false) };
}

function barsSpark(b: DriftBars, width: number, height: number): Sparkline | null {
  const total = b.categories.length;
  if (total === 0 || b.reference.length !== total || b.current.length !== total) return null;
  const shown = Math.min(total, SPARK_CATEGORIES);
  const ref = b.reference.slice(0, shown).map(share);
  const cur = b.current.slice(0, shown).map(share);
  const max = Math.max(...ref, ...cur);
  if (!(max > 0)) return null;
  const slot = width / shown;
  const barWidth = Math.max(1, (slot - 1) / 2);
  const bars: SparkBar[] = [];
  for (let i = 0; i < shown; i++) {
    for (const [side, v, offset] of [['reference', ref[i], 0], ['current', cur[i], barWidth]] as const) {
      const h = v > 0 ? Math.max(1, (v / max) * height) : 0;
      bars.push({ x: round2(i * slot + offset), y: round2(height - h), width: round2(barWidth), height: round2(h), side });
    }
  }
  return { kind: 'bars', bars, shown, total };
}

/** A column's sparkline in a `width` x `height` box, both sides on one scale; null when it has nothing to draw. */
export function sparkline(column: Pick<DriftColumn, 'histogram' | 'bars'>, width: number, height: number): Sparkline | null {
  if (column.histogram) return histogramSpark(column.histogram, width, height);
  if (column.bars) return barsSpark(column.bars, width, height);
  return null;
}

// ---------------------------------------------------------------------------
// The details pane

export type SummaryRow = { label: string; reference: string; current: string };

/** Both sides' summaries as rows, with only the statistics either side has. */
export function summaryRows(reference: SideSummary, current: SideSummary): SummaryRow[] {
  const count = (v: number | null | undefined) => (typeof v === 'number' ? formatCount(v) : '');
  const number = (v: number | null | undefined) => (typeof v === 'number' ? formatNumber(v) : '');
  const missing = (s: SideSummary) => {
    const total = s.count + s.missing;
    return total > 0 && s.missing > 0 ? `${formatCount(s.missing)} (${formatPercent(s.missing, total)})` : formatCount(s.missing);
  };
  const rows: SummaryRow[] = [
    { label: 'count', reference: count(reference.count), current: count(current.count) },
    { label: 'missing', reference: missing(reference), current: missing(current) },
  ];
  const optional: [string, keyof SideSummary, (v: number | null | undefined) => string][] = [
    ['distinct', 'distinct', count],
    ['mean', 'mean', number],
    ['median', 'median', number],
    ['std', 'std', number],
    ['min', 'min', number],
    ['max', 'max', number],
  ];
  for (const [label, key, format] of optional) {
    const r = format(reference[key]);
    const c = format(current[key]);
    if (r !== '' || c !== '') rows.push({ label, reference: r, current: c });
  }
  return rows;
}

/** A list of categories cut to `limit`, with how many more there are (the engine may send a sample). */
export function categoryList(names: readonly string[], count: number, limit = 20): { shown: string[]; more: number } {
  const shown = names.slice(0, limit);
  return { shown, more: Math.max(0, Math.max(count, names.length) - shown.length) };
}

/** A file name for an export: "drift-ref_800-vs-cur_800.html". */
export function exportFileName(report: Pick<DriftReport, 'reference' | 'current'>, extension: string): string {
  const stem = (path: string) => {
    const name = baseName(path);
    const dot = name.lastIndexOf('.');
    return (dot > 0 ? name.slice(0, dot) : name).replace(/[^\w.-]+/g, '_');
  };
  return `drift-${stem(report.reference.path)}-vs-${stem(report.current.path)}.${extension}`;
}
