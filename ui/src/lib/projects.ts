/** Pure helpers for showing projects: names, order, counts, dates. */
import type { Project } from './backend';

/** The last component of a path, for either separator; trailing separators are ignored. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((part) => part.length > 0);
  return parts.length > 0 ? parts[parts.length - 1] : path;
}

/** The name to show: the catalog's name, else the folder's name, else the path. */
export function displayName(project: Pick<Project, 'name' | 'path'>): string {
  const name = project.name.trim();
  return name.length > 0 ? name : baseName(project.path);
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Projects by name as people read it (case-insensitive, "run2" before "run10"), then by path. */
export function sortProjects(projects: readonly Project[]): Project[] {
  return [...projects].sort(
    (a, b) => collator.compare(displayName(a), displayName(b)) || collator.compare(a.path, b.path),
  );
}

/**
 * The list with `project` added, or replacing the entry with the same id
 * (adding a folder that is already in the catalog returns the existing row).
 */
export function upsertProject(projects: readonly Project[], project: Project): Project[] {
  const index = projects.findIndex((p) => p.id === project.id);
  if (index === -1) {
    return [...projects, project];
  }
  const next = [...projects];
  next[index] = project;
  return next;
}

/** "1 project", "3 projects". */
export function countLabel(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The calendar date of an `added_at` timestamp as the catalog stores it
 * (RFC 3339 or SQLite's "YYYY-MM-DD HH:MM:SS"). Anything else is shown as is.
 * No time-zone conversion: the date is the one the catalog recorded.
 */
export function addedOn(addedAt: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ]|$)/.exec(addedAt);
  return match ? match[1] : addedAt;
}
