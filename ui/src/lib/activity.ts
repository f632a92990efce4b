/** The status bar's words for what the watcher is doing, and the warnings it keeps. */
import type { CatalogActivity, CatalogWarning } from './backend';
import { countLabel } from './projects';

/**
 * "Watching 3 projects", or "Indexing churn: reading 120/400" while an index
 * runs (a phase with no total yet shows only what is done).
 */
export function activityLabel(activity: CatalogActivity | null, projectName: (id: number) => string | null): string {
  if (activity === null) return 'Live updates starting…';
  if (activity.state === 'watching') return `Watching ${countLabel(activity.total, 'project')}`;
  const name = activity.project_id === null ? null : projectName(activity.project_id);
  const progress = activity.total > 0 ? `${activity.done}/${activity.total}` : `${activity.done}`;
  return `Indexing${name ? ` ${name}` : ''}: ${activity.state} ${progress}`;
}

/** The share done, 0..1, while an index with a known total runs; null otherwise. */
export function activityProgress(activity: CatalogActivity | null): number | null {
  if (activity === null || activity.state === 'watching' || activity.total <= 0) return null;
  return Math.max(0, Math.min(1, activity.done / activity.total));
}

/** Warnings kept for the status bar: the most recent ones. */
export const MAX_WARNINGS = 100;

export type ShownWarning = CatalogWarning & { seq: number };

/** The list with `warning` added, newest last, at most MAX_WARNINGS. */
export function addWarning(list: readonly ShownWarning[], warning: CatalogWarning, seq: number): ShownWarning[] {
  const next = [...list, { ...warning, seq }];
  return next.length > MAX_WARNINGS ? next.slice(next.length - MAX_WARNINGS) : next;
}

/** Warnings as plain text for the clipboard, one a line, with the project's name when there is one. */
export function warningsText(list: readonly CatalogWarning[], projectName: (id: number) => string | null): string {
  return list
    .map((w) => {
      const name = w.project_id === null ? null : projectName(w.project_id);
      return name ? `${name}: ${w.message}` : w.message;
    })
    .join('\n');
}
