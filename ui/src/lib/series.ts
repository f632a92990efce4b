/**
 * The interactive charts' data: the shell's binary buffer read in place as
 * typed arrays, what is drawn at a zoom (decimated for drawing only: the
 * values on hover always come from every point), and the run colours.
 *
 * The buffer (see `driftdeck::series::pack`): `DDS1`, the JSON header's length
 * (u32, little-endian), the header, zero bytes to a multiple of 8, then the
 * arrays as little-endian f64, in the order and with the lengths the header
 * gives.
 */
import { RUN_PALETTE, type ChartHeader, type GroupHeader, type SeriesHeader, type Spread } from './backend';

export type RunSeries = {
  header: SeriesHeader;
  x: Float64Array;
  value: Float64Array;
  /** The smoothed values; the values themselves without smoothing. */
  smoothed: Float64Array;
  /** The logged step of each point, when the x axis is not the step. */
  step: Float64Array | null;
};

export type GroupSeries = {
  header: GroupHeader;
  x: Float64Array;
  center: Float64Array;
  low: Float64Array;
  high: Float64Array;
  runs: Float64Array;
};

export type ChartData = { header: ChartHeader; series: RunSeries[]; groups: GroupSeries[] };

const MAGIC = 'DDS1';

/** Reads a `chart_data` buffer; throws on one that is not one (or cut short). */
export function decodeChartData(buffer: ArrayBuffer): ChartData {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) {
    throw new Error('the chart data is not in the expected format (DDS1)');
  }
  const length = new DataView(buffer).getUint32(4, true);
  if (8 + length > bytes.length) throw new Error('the chart data is cut short');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as ChartHeader;
  let offset = Math.ceil((8 + length) / 8) * 8;
  const take = (n: number): Float64Array => {
    if (offset + 8 * n > buffer.byteLength) throw new Error('the chart data is cut short');
    const a = new Float64Array(buffer, offset, n);
    offset += 8 * n;
    return a;
  };
  const arrays = (names: readonly string[], n: number): Record<string, Float64Array> =>
    Object.fromEntries(names.map((name) => [name, take(n)]));
  const series = header.series.map((h): RunSeries => {
    const a = arrays(h.arrays, h.points);
    return { header: h, x: a.x, value: a.value, smoothed: a.smoothed ?? a.value, step: a.step ?? null };
  });
  const groups = header.groups.map((h): GroupSeries => {
    const a = arrays(h.arrays, h.points);
    return { header: h, x: a.x, center: a.center, low: a.low, high: a.high, runs: a.runs };
  });
  if (offset !== buffer.byteLength) throw new Error('the chart data has more than its header says');
  return { header, series, groups };
}

/** Whether `x` never decreases (the step and time axes; another metric's may not). */
export function isSorted(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false;
  return true;
}

/**
 * What to draw of one line between x0 and x1 at `columns` pixel columns: in
 * each column its first, lowest, highest and last point (so the drawn shape is
 * the same as with every point), plus the points just outside the range so
 * the line reaches the edges. With fewer points than columns, every point. A
 * non-finite value is kept (it breaks the line). `x` must be sorted.
 */
export function decimate(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  x0: number,
  x1: number,
  columns: number,
): { x: number[]; y: number[] } {
  const out = { x: [] as number[], y: [] as number[] };
  const n = x.length;
  if (n === 0) return out;
  let lo = lowerBound(x, x0);
  let hi = upperBound(x, x1);
  if (lo > 0) lo--;
  if (hi < n) hi++;
  const push = (i: number) => {
    out.x.push(x[i]);
    out.y.push(y[i]);
  };
  if (hi - lo <= 4 * Math.max(1, columns) || !(x1 > x0)) {
    for (let i = lo; i < hi; i++) push(i);
    return out;
  }
  const width = (x1 - x0) / columns;
  let i = lo;
  while (i < hi) {
    const column = Math.floor((x[i] - x0) / width);
    let first = i;
    let min = -1;
    let max = -1;
    let last = i;
    for (; i < hi && Math.floor((x[i] - x0) / width) === column; i++) {
      last = i;
      const v = y[i];
      if (!Number.isFinite(v)) {
        // A gap: flush what came before it, keep it, and start again after it.
        for (const k of ordered(first, min, max, i - 1)) if (k >= first && k < i) push(k);
        push(i);
        first = i + 1;
        min = -1;
        max = -1;
        continue;
      }
      if (min < 0 || v < y[min]) min = i;
      if (max < 0 || v > y[max]) max = i;
    }
    if (first <= last) for (const k of ordered(first, min, max, last)) if (k >= first) push(k);
  }
  return out;
}

/** Distinct indices in increasing order. */
function ordered(...indices: number[]): number[] {
  return [...new Set(indices.filter((k) => k >= 0))].sort((a, b) => a - b);
}

/** The first index whose x is >= v (x sorted). */
export function lowerBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose x is > v (x sorted). */
export function upperBound(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the point nearest `v` in x (-1 for none); sorted x is searched, other x scanned. */
export function nearestIndex(x: ArrayLike<number>, v: number, sorted = true): number {
  if (x.length === 0 || !Number.isFinite(v)) return -1;
  if (!sorted) {
    let best = -1;
    for (let i = 0; i < x.length; i++) if (best < 0 || Math.abs(x[i] - v) < Math.abs(x[best] - v)) best = i;
    return best;
  }
  const i = lowerBound(x, v);
  if (i === 0) return 0;
  if (i === x.length) return x.length - 1;
  return v - x[i - 1] <= x[i] - v ? i - 1 : i;
}

/**
 * Lines with their own x values on one x: the sorted union, each line's value
 * at it or null (uPlot's aligned data). Lines that share their steps (the
 * usual case) give no nulls.
 */
export function align(lines: readonly { x: readonly number[]; y: readonly number[] }[]): [number[], ...(number | null)[][]] {
  const all = new Set<number>();
  for (const l of lines) for (const v of l.x) all.add(v);
  const xs = [...all].sort((a, b) => a - b);
  const index = new Map(xs.map((v, i) => [v, i]));
  const ys = lines.map((l) => {
    const y = new Array<number | null>(xs.length).fill(null);
    for (let i = 0; i < l.x.length; i++) {
      const v = l.y[i];
      y[index.get(l.x[i])!] = Number.isFinite(v) ? v : null;
    }
    return y;
  });
  return [xs, ...ys];
}

/** The y range that leaves out the outliers: the lowest 5th and highest 95th percentile of the lines. */
export function outlierRange(spreads: readonly (Spread | null)[]): [number, number] | null {
  const known = spreads.filter((s): s is Spread => s !== null);
  if (known.length === 0) return null;
  const lo = Math.min(...known.map((s) => s.p5));
  const hi = Math.max(...known.map((s) => s.p95));
  return lo < hi ? [lo, hi] : [lo - 1, hi + 1];
}

/**
 * A run's colour: the one the user chose, else by catalog id from the
 * engine's `RUN_PALETTE` (Okabe and Ito's colour-blind-safe set, then Paul
 * Tol's muted one), so a run keeps its colour whatever else is shown, and
 * exported charts draw the same. (Read at call time: backend.ts imports this
 * module.)
 */
export function runColor(runId: number, chosen: ReadonlyMap<number, string> = new Map()): string {
  const n = RUN_PALETTE.length;
  return chosen.get(runId) ?? RUN_PALETTE[((runId % n) + n) % n];
}

/** `#rrggbb` with an alpha, for the faint raw line and the bands. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.max(0, Math.min(1, alpha)) * 255)
    .toString(16)
    .padStart(2, '0');
  return `${hex}${a}`;
}

/** Where the chosen run colours are kept between sessions. */
export const COLORS_STORAGE_KEY = 'driftdeck.runColors';

export function parseStoredColors(text: string | null): Map<number, string> {
  const out = new Map<number, string>();
  if (!text) return out;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed)) {
        if (/^\d+$/.test(k) && typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v)) out.set(Number(k), v);
      }
    }
  } catch {
    // A broken entry is forgotten, not fatal.
  }
  return out;
}

export function serializeColors(colors: ReadonlyMap<number, string>): string {
  return JSON.stringify(Object.fromEntries(colors));
}

/** The x axes the charts offer, with their labels. */
export const X_AXES = [
  { value: 'step', label: 'Step' },
  { value: 'relative_step', label: 'Relative step' },
  { value: 'time', label: 'Wall time' },
  { value: 'relative', label: 'Relative time' },
  { value: 'epoch', label: 'Epoch' },
] as const;

/** A value on the x axis as people read it: a step, a date and time, a duration, or a number. */
export function formatX(axis: string, x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (axis === 'time') return new Date(x).toISOString().replace('T', ' ').slice(0, 19);
  if (axis === 'relative') return formatSeconds(x);
  if (axis === 'step' || axis === 'relative_step') return String(Math.round(x));
  return formatNumber(x);
}

/** Seconds as `1h 02m 03s`, `4m 05s`, `6.5s`. */
export function formatSeconds(s: number): string {
  const sign = s < 0 ? '−' : '';
  const t = Math.abs(s);
  if (t < 60) return `${sign}${Number(t.toFixed(1))}s`;
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = Math.floor(t % 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${sign}${h}h ${pad(m)}m ${pad(sec)}s` : `${sign}${m}m ${pad(sec)}s`;
}

/** A value as the tooltip shows it: up to 6 significant digits, NaN and ±∞ spelled out. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}
