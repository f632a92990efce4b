/**
 * The in-app alerts for `dataset-drifted` events: what they say, and how a
 * new one joins those shown. The shell also shows a desktop notification;
 * these stay until dismissed, with a way into the Compare view.
 */
import type { DatasetDrifted } from './backend';
import { formatCount } from './format';
import { baseName } from './projects';

/** Alerts shown at once: a project whose files keep changing must not bury the window. */
export const MAX_DRIFT_ALERTS = 3;
/** Drifted column names spelled out in an alert; the rest is "…". */
export const ALERT_COLUMN_NAMES = 3;

export type DriftAlert = DatasetDrifted & {
  /** Unique per alert shown (for keys and dismissing). */
  seq: number;
};

/** "Drift in demo: current.csv vs reference.csv — 4 of 9 columns drifted (monthly_charges, tenure, contract, …)". */
export function driftAlertText(drift: DatasetDrifted): string {
  const columns = `${formatCount(drift.drifted_columns)} of ${formatCount(drift.columns)} ${drift.columns === 1 ? 'column' : 'columns'} drifted`;
  const shown = drift.drifted.slice(0, ALERT_COLUMN_NAMES);
  const more = Math.max(drift.drifted_columns, drift.drifted.length) > shown.length;
  const names = shown.length > 0 ? ` (${shown.join(', ')}${more ? ', …' : ''})` : '';
  return `Drift in ${drift.project}: ${baseName(drift.current)} vs ${baseName(drift.reference)} — ${columns}${names}`;
}

function samePair(a: DatasetDrifted, b: DatasetDrifted): boolean {
  return a.project_id === b.project_id && a.reference === b.reference && a.current === b.current;
}

/**
 * The alerts with `drift` added, newest first. A newer result for the same
 * project and files replaces the older one (it is the same news, updated);
 * beyond MAX_DRIFT_ALERTS the oldest go.
 */
export function addDriftAlert(list: readonly DriftAlert[], drift: DatasetDrifted, seq: number): DriftAlert[] {
  const kept = list.filter((alert) => !samePair(alert, drift));
  return [{ ...drift, drifted: [...drift.drifted], seq }, ...kept].slice(0, MAX_DRIFT_ALERTS);
}

export function dismissDriftAlert(list: readonly DriftAlert[], seq: number): DriftAlert[] {
  return list.filter((alert) => alert.seq !== seq);
}

/**
 * What the Compare view is given for an alert: the two files, and the
 * project's drift share, so its verdict is judged as the watcher judged it.
 */
export function alertComparison(drift: DatasetDrifted): { reference: string; current: string; driftShareText: string } {
  return { reference: drift.reference, current: drift.current, driftShareText: String(drift.max_share) };
}
