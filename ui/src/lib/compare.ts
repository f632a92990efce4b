/** The run compare panel's logic: which rows and sections to show, which charts to draw. */
import type { CompareRow, CompareSection, Delta, Run } from './backend';
import { formatNumber } from './series';

export const SECTION_LABELS: Record<CompareSection, string> = {
  attribute: 'Attributes',
  param: 'Parameters',
  metric: 'Metrics',
  tag: 'Tags',
};

const SECTION_ORDER: readonly CompareSection[] = ['attribute', 'param', 'metric', 'tag'];

/** The key without its section's prefix: `params.lr` -> `lr`; attributes have none. */
export function rowLabel(row: Pick<CompareRow, 'section' | 'key'>): string {
  const prefix = { attribute: '', param: 'params.', metric: 'metrics.', tag: 'tags.' }[row.section];
  return prefix && row.key.startsWith(prefix) ? row.key.slice(prefix.length) : row.key;
}

export type SectionView = { section: CompareSection; label: string; rows: CompareRow[]; hidden: number };

/**
 * The sections to show, in order, each with its rows (only those that differ
 * when `onlyDifferences`) and how many rows that hid. Rows of unknown
 * sections are kept in an "Other" place at the end rather than dropped.
 */
export function compareSections(rows: readonly CompareRow[], onlyDifferences: boolean): SectionView[] {
  const sections: SectionView[] = [];
  for (const section of SECTION_ORDER) {
    const all = rows.filter((r) => r.section === section);
    if (all.length === 0) continue;
    const shown = onlyDifferences ? all.filter((r) => r.differs) : all;
    sections.push({ section, label: SECTION_LABELS[section], rows: shown, hidden: all.length - shown.length });
  }
  return sections;
}

/** Every metric key of the runs: those all runs share first, then the others, each by name. */
export function chartableMetrics(runs: readonly Run[]): { shared: string[]; others: string[] } {
  const counts = new Map<string, number>();
  for (const run of runs) for (const key of Object.keys(run.metrics)) counts.set(key, (counts.get(key) ?? 0) + 1);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const keys = [...counts.keys()].sort(byName);
  return {
    shared: keys.filter((k) => counts.get(k) === runs.length),
    others: keys.filter((k) => counts.get(k) !== runs.length),
  };
}

/** How many charts are drawn before the user picks. */
export const DEFAULT_CHARTS = 4;

/** The metrics charted before the user picks: the first few that every run has. */
export function defaultChartMetrics(runs: readonly Run[], count = DEFAULT_CHARTS): string[] {
  return chartableMetrics(runs).shared.slice(0, count);
}

/**
 * The chart as an image URL. A data: URL keeps the strict CSP (img-src 'self'
 * data:) and, unlike inserting the SVG as markup, runs nothing in it.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** A difference from the baseline as a cell writes it: `+0.04` and `+5.0%`; null when there is none to show. */
export function deltaText(delta: Delta | null | undefined): { delta: string; percent: string | null; sign: -1 | 0 | 1 } | null {
  if (!delta) return null;
  const sign = delta.delta > 0 ? 1 : delta.delta < 0 ? -1 : 0;
  const signed = (v: number, text: string) => (v > 0 ? `+${text}` : v < 0 ? `−${text.replace(/^-/, '')}` : text);
  return {
    delta: signed(delta.delta, formatNumber(delta.delta)),
    percent: delta.percent === null ? null : `${signed(delta.percent, Math.abs(delta.percent).toFixed(1))}%`,
    sign,
  };
}
