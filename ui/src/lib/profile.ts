/**
 * Reading a column profile (the JSON the engine's data module writes, see
 * src/data/profile.rs) defensively: every field may be missing, null or of an
 * unexpected type, and what cannot be read is simply not shown.
 */

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** One labelled statistic. */
export type Stat = { label: string; value: number | string };

/** The statistics of a profile that are present, in reading order. */
export function profileStats(profile: unknown): Stat[] {
  const p = obj(profile);
  if (!p) return [];
  const stats: Stat[] = [];
  const push = (label: string, value: number | string | null) => {
    if (value !== null) stats.push({ label, value });
  };
  push('min', num(p.min) ?? str(p.min));
  push('mean', num(p.mean));
  push('max', num(p.max) ?? str(p.max));
  push('std', num(p.std));
  const q = obj(p.quantiles);
  if (q) push('median', num(q.p50));
  push('distinct', num(p.cardinality) ?? num(p.distinct_approx));
  const nan = num(p.nan);
  if (nan !== null && nan > 0) push('NaN', nan);
  const inf = num(p.inf);
  if (inf !== null && inf > 0) push('±inf', inf);
  return stats;
}

/** Whether `distinct` is an estimate (HyperLogLog) rather than a count. */
export function distinctIsApprox(profile: unknown): boolean {
  const p = obj(profile);
  return p !== null && num(p.cardinality) === null && num(p.distinct_approx) !== null;
}

export type Histogram = { edges: number[]; counts: number[] };

/** The histogram, when it is well formed: n counts and n + 1 finite edges (one bin may have [v, v]). */
export function histogramOf(profile: unknown): Histogram | null {
  const h = obj(obj(profile)?.histogram);
  if (!h || !Array.isArray(h.edges) || !Array.isArray(h.counts)) return null;
  const edges = h.edges.map(num);
  const counts = h.counts.map(num);
  if (counts.length === 0 || edges.length !== counts.length + 1) return null;
  if (edges.some((e) => e === null) || counts.some((c) => c === null || c < 0)) return null;
  return { edges: edges as number[], counts: counts as number[] };
}

export type Bar = { x: number; y: number; width: number; height: number; count: number; from: number; to: number };

/** Bar geometry of a histogram drawn in a `width` x `height` box; every non-empty bin at least 1 high. */
export function histogramBars(hist: Histogram, width: number, height: number, gap = 1): Bar[] {
  const n = hist.counts.length;
  const max = Math.max(...hist.counts);
  const slot = width / n;
  const barWidth = Math.max(1, slot - gap);
  return hist.counts.map((count, i) => {
    const h = max > 0 && count > 0 ? Math.max(1, (count / max) * height) : 0;
    return {
      x: i * slot,
      y: height - h,
      width: barWidth,
      height: h,
      count,
      from: hist.edges[i],
      to: hist.edges[i + 1],
    };
  });
}

export type TopValue = { value: string; count: number; share: number };

/**
 * The most frequent values of a categorical or boolean column, each with its
 * share of the non-null values; `other` counts the values outside them.
 */
export function topValues(profile: unknown, limit = 10): { values: TopValue[]; more: number; other: number } {
  const p = obj(profile);
  const top = p && Array.isArray(p.top) ? p.top : [];
  const entries: { value: string; count: number }[] = [];
  for (const item of top) {
    const o = obj(item);
    const count = num(o?.count);
    const value = o?.value;
    if (count === null) continue;
    entries.push({ value: value === null || value === undefined ? '' : String(value), count });
  }
  const listed = entries.reduce((sum, e) => sum + e.count, 0);
  const other = num(p?.other) ?? 0;
  const total = num(p?.count) ?? listed + other;
  const shown = entries.slice(0, limit);
  const hidden = entries.slice(limit).reduce((sum, e) => sum + e.count, 0);
  return {
    values: shown.map((e) => ({ ...e, share: total > 0 ? e.count / total : 0 })),
    more: entries.length - shown.length,
    other: other + hidden,
  };
}

/** Nulls across all columns as a share of all cells, for the datasets list. */
export function nullCells(dataset: { rows: number | null; schema: { nulls: number }[] }): {
  nulls: number;
  cells: number | null;
} {
  const nulls = dataset.schema.reduce((sum, c) => sum + (Number.isFinite(c.nulls) ? c.nulls : 0), 0);
  const cells = dataset.rows === null ? null : dataset.rows * dataset.schema.length;
  return { nulls, cells };
}
