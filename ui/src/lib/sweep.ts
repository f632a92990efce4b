/**
 * The sweep panel's logic: where a run's value sits on an axis, which runs
 * the brushes keep, and the colour of a metric value. The axes themselves
 * (numeric or categorical, each run's value, the importances) come from the
 * engine (`driftdeck::sweep`).
 */
import type { SweepAxis } from './backend';

/** A brushed range of an axis, in its values (category indices on a categorical axis). */
export type Brush = { lo: number; hi: number };
export type Brushes = Readonly<Record<string, Brush>>;

/** Where `v` sits on `axis`, from 0 (its minimum) to 1 (its maximum); 0.5 on an axis of one value. */
export function position(axis: SweepAxis, v: number): number {
  const { min, max } = axis;
  if (min === null || max === null || max === min) return 0.5;
  return (v - min) / (max - min);
}

/** The value at `p` (0..1) of `axis`: the inverse of `position`. */
export function valueAt(axis: SweepAxis, p: number): number {
  const { min, max } = axis;
  if (min === null || max === null) return 0;
  return min + p * (max - min);
}

/** The runs (their indices) that every brush keeps: a run without a value on a brushed axis is not kept. */
export function brushed(axes: readonly SweepAxis[], brushes: Brushes, runs: number): number[] {
  const active = axes.filter((a) => brushes[a.key]);
  const kept: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (
      active.every((a) => {
        const v = a.values[i];
        const b = brushes[a.key];
        return v !== null && v >= b.lo && v <= b.hi;
      })
    )
      kept.push(i);
  }
  return kept;
}

/** A value's label on its axis: the category's name, else the number. */
export function axisLabel(axis: SweepAxis, v: number | null): string {
  if (v === null) return '—';
  if (axis.kind === 'categorical') return axis.categories[Math.round(v)] ?? '—';
  return String(Number(v.toPrecision(4)));
}

/** The ticks of an axis: every category, or its minimum and maximum. */
export function ticks(axis: SweepAxis): number[] {
  if (axis.kind === 'categorical') return axis.categories.map((_, i) => i);
  if (axis.min === null || axis.max === null) return [];
  return axis.min === axis.max ? [axis.min] : [axis.min, axis.max];
}

/** A metric value's colour: from blue (the lowest) through grey to orange (the highest), colour-blind safe. */
export function metricColor(p: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0.5));
  const low = [0, 114, 178];
  const mid = [150, 150, 150];
  const high = [230, 159, 0];
  const [a, b, s] = t < 0.5 ? [low, mid, t * 2] : [mid, high, (t - 0.5) * 2];
  const c = a.map((x, i) => Math.round(x + (b[i] - x) * s));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
