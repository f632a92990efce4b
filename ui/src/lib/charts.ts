/**
 * How the interactive charts are drawn, as the chart controls hold it and a
 * saved view keeps it (`ChartSettings`, declared in Rust): the x axis, the
 * smoothing, log y, outliers, and the grouping's line and band.
 */
import type { ChartDataRequest, ChartSettings } from './backend';

export type SmoothingKind = 'none' | 'ema' | 'twema' | 'mean' | 'gauss';

export type ChartView = {
  x: string;
  smoothing: SmoothingKind;
  /** ema/twema: the weight (0-0.99); mean: points each side; gauss: sigma in x units. */
  smoothingValue: number;
  logY: boolean;
  ignoreOutliers: boolean;
  /** A key to group runs by (`params.optimizer`), or null. */
  groupBy: string | null;
  center: string;
  band: string;
};

export const SMOOTHINGS: readonly { value: SmoothingKind; label: string; default: number; min: number; max: number; step: number }[] = [
  { value: 'none', label: 'No smoothing', default: 0, min: 0, max: 0, step: 0 },
  { value: 'ema', label: 'EMA (TensorBoard)', default: 0.6, min: 0, max: 0.99, step: 0.01 },
  { value: 'twema', label: 'Time-weighted EMA', default: 0.6, min: 0, max: 0.99, step: 0.01 },
  { value: 'mean', label: 'Running mean', default: 5, min: 1, max: 100, step: 1 },
  { value: 'gauss', label: 'Gaussian', default: 2, min: 0.1, max: 100, step: 0.1 },
];

export const CENTERS = ['mean', 'median', 'min', 'max'] as const;
export const BANDS = [
  { value: 'std', label: '± std' },
  { value: 'sem', label: '± std. error' },
  { value: 'ci95', label: '95% CI' },
  { value: 'minmax', label: 'min–max' },
  { value: 'none', label: 'no band' },
] as const;

export const DEFAULT_VIEW: ChartView = {
  x: 'step',
  smoothing: 'none',
  smoothingValue: 0,
  logY: false,
  ignoreOutliers: false,
  groupBy: null,
  center: 'mean',
  band: 'std',
};

/** The smoothing as the engine spells it: `none`, `ema:0.6`, `mean:5`. */
export function smoothingText(view: Pick<ChartView, 'smoothing' | 'smoothingValue'>): string {
  if (view.smoothing === 'none') return 'none';
  const spec = SMOOTHINGS.find((s) => s.value === view.smoothing)!;
  let v = Number.isFinite(view.smoothingValue) ? view.smoothingValue : spec.default;
  v = Math.max(spec.min, Math.min(spec.max, v));
  if (view.smoothing === 'mean') v = Math.round(v);
  return `${view.smoothing}:${Number(v.toFixed(4))}`;
}

/** The engine's spelling read back (a saved view); anything else is no smoothing. */
export function parseSmoothing(text: string): Pick<ChartView, 'smoothing' | 'smoothingValue'> {
  const [kind, arg] = text.split(':');
  const spec = SMOOTHINGS.find((s) => s.value === kind && kind !== 'none');
  const v = Number(arg);
  if (!spec || arg === undefined || !Number.isFinite(v)) return { smoothing: 'none', smoothingValue: 0 };
  return { smoothing: spec.value, smoothingValue: v };
}

/** A chart's request to the shell. */
export function chartRequest(runIds: readonly number[], key: string, view: ChartView): ChartDataRequest {
  return {
    run_ids: [...runIds],
    key,
    x: view.x,
    smoothing: smoothingText(view),
    group_by: view.groupBy,
    center: view.center,
    band: view.band,
  };
}

/** The chart settings a view saves. */
export function toSettings(view: ChartView, metrics: readonly string[]): ChartSettings {
  return {
    metrics: [...metrics],
    x: view.x,
    smoothing: smoothingText(view),
    log_y: view.logY,
    ignore_outliers: view.ignoreOutliers,
    center: view.center,
    band: view.band,
  };
}

/** A saved view's chart settings as the controls hold them (its group key comes from the view). */
export function fromSettings(settings: Partial<ChartSettings> | undefined, groupBy: string | null): ChartView {
  const s = settings ?? {};
  return {
    ...DEFAULT_VIEW,
    x: s.x || DEFAULT_VIEW.x,
    ...parseSmoothing(s.smoothing ?? 'none'),
    logY: s.log_y ?? false,
    ignoreOutliers: s.ignore_outliers ?? false,
    center: s.center || DEFAULT_VIEW.center,
    band: s.band || DEFAULT_VIEW.band,
    groupBy,
  };
}

/** Metric keys that match a search: text (case-insensitive), or a /regex/ between slashes. */
export function matchKeys(keys: readonly string[], search: string): { keys: string[]; error: string | null } {
  const q = search.trim();
  if (q === '') return { keys: [...keys], error: null };
  const regex = /^\/(.*)\/([a-z]*)$/.exec(q);
  if (regex) {
    try {
      const re = new RegExp(regex[1], regex[2].includes('i') ? 'i' : '');
      return { keys: keys.filter((k) => re.test(k)), error: null };
    } catch (e) {
      return { keys: [], error: `not a regular expression: ${(e as Error).message}` };
    }
  }
  const needle = q.toLowerCase();
  return { keys: keys.filter((k) => k.toLowerCase().includes(needle)), error: null };
}

/** Pinned keys first (in pin order), then the rest in their order. */
export function orderKeys(keys: readonly string[], pinned: readonly string[]): string[] {
  const set = new Set(keys);
  const first = pinned.filter((k) => set.has(k));
  const rest = keys.filter((k) => !first.includes(k));
  return [...first, ...rest];
}

/** Moves `key` one place up (-1) or down (+1) in `order`. */
export function moveKey(order: readonly string[], key: string, by: -1 | 1): string[] {
  const i = order.indexOf(key);
  const j = i + by;
  if (i < 0 || j < 0 || j >= order.length) return [...order];
  const out = [...order];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

export const CHART_SIZES = [
  { value: 's', label: 'Small', height: 180, columns: 3 },
  { value: 'm', label: 'Medium', height: 240, columns: 2 },
  { value: 'l', label: 'Large', height: 320, columns: 1 },
] as const;
export type ChartSize = (typeof CHART_SIZES)[number]['value'];
