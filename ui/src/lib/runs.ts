/**
 * The runs table's logic, free of Svelte and the DOM: columns, sorting,
 * grouping into the flat list of rows the virtual table shows, selection
 * ranges and the column chooser's defaults and memory.
 */
import type { Run } from './backend';
import { metricNumber, runDuration } from './format';

/** The columns every table has. */
export type BuiltinColumn = 'name' | 'status' | 'experiment' | 'start' | 'duration';
export const BUILTIN_COLUMNS: readonly BuiltinColumn[] = ['name', 'status', 'experiment', 'start', 'duration'];

export type KeyKind = 'metrics' | 'params' | 'tags';

/**
 * A column id: a built-in column, or a metric/param/tag written as filters
 * write it (`metrics.val/auc`, `params.lr`, `tags.stage`). Keys may hold dots;
 * only the first one separates the kind.
 */
export type ColumnId = BuiltinColumn | `${KeyKind}.${string}`;

export type KeyColumn = { kind: KeyKind; key: string };

export function keyColumnId(kind: KeyKind, key: string): ColumnId {
  return `${kind}.${key}`;
}

/** The kind and key of a metric/param/tag column; null for built-in columns and anything else. */
export function parseKeyColumn(id: string): KeyColumn | null {
  const dot = id.indexOf('.');
  if (dot <= 0) return null;
  const kind = id.slice(0, dot);
  const key = id.slice(dot + 1);
  if ((kind === 'metrics' || kind === 'params' || kind === 'tags') && key.length > 0) return { kind, key };
  return null;
}

export const COLUMN_LABELS: Record<BuiltinColumn, string> = {
  name: 'Name',
  status: 'Status',
  experiment: 'Experiment',
  start: 'Started',
  duration: 'Duration',
};

export function columnLabel(id: ColumnId): string {
  const key = parseKeyColumn(id);
  return key ? key.key : COLUMN_LABELS[id as BuiltinColumn];
}

/** The name to show for a run: its name, else its tool's run id. */
export function runLabel(run: Pick<Run, 'name' | 'run_id'>): string {
  const name = run.name?.trim();
  return name ? name : run.run_id;
}

/** A sortable value: a number, a string, or missing (null). NaN is a number that sorts after all others. */
export type SortValue = number | string | null;

export function cellValue(run: Run, column: ColumnId): SortValue {
  switch (column) {
    case 'name':
      return runLabel(run);
    case 'status':
      return run.status;
    case 'experiment':
      return run.experiment;
    case 'start':
      return run.start_ms;
    case 'duration':
      return runDuration(run);
  }
  const key = parseKeyColumn(column);
  if (!key) return null;
  switch (key.kind) {
    case 'metrics':
      return metricNumber(run.metrics[key.key]);
    case 'params':
      return run.params[key.key] ?? null;
    case 'tags':
      return run.tags[key.key] ?? null;
  }
}

const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Params and tags are text; those that read as numbers sort as numbers ("8" before "16"). */
function asNumber(value: number | string): number | null {
  if (typeof value === 'number') return value;
  return NUMERIC_TEXT.test(value) ? Number(value) : null;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/**
 * Orders two present values ascending: numbers numerically (NaN after every
 * other number), numbers before text, text as people read it ("run2" before
 * "run10", case-insensitive).
 */
export function compareValues(a: number | string, b: number | string): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) {
    const xNaN = Number.isNaN(x);
    const yNaN = Number.isNaN(y);
    if (xNaN || yNaN) return xNaN === yNaN ? 0 : xNaN ? 1 : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (x !== null) return -1;
  if (y !== null) return 1;
  return collator.compare(String(a), String(b));
}

export type SortDirection = 'asc' | 'desc';
export type Sort = { column: ColumnId; direction: SortDirection };

export const DEFAULT_SORT: Sort = { column: 'start', direction: 'desc' };

/**
 * Runs sorted by one column. Missing values (and NaN) come last in either
 * direction: a descending sort of a metric shows the best values first, not
 * the runs that never logged it. Ties keep a stable order by catalog id.
 */
export function sortRuns(runs: readonly Run[], sort: Sort): Run[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const keyed = runs.map((run) => ({ run, value: cellValue(run, sort.column) }));
  const rank = (v: SortValue) => (v === null || v === '' ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);
  keyed.sort((a, b) => {
    const ra = rank(a.value);
    const rb = rank(b.value);
    if (ra !== rb) return ra - rb;
    if (ra === 0) {
      const c = compareValues(a.value as number | string, b.value as number | string);
      if (c !== 0) return sign * c;
    }
    return a.run.id - b.run.id;
  });
  return keyed.map((k) => k.run);
}

/** A click on a header: the same column flips its direction, another column starts ascending. */
export function nextSort(current: Sort, column: ColumnId): Sort {
  if (current.column === column) {
    return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  return { column, direction: 'asc' };
}

/** The table's grouping: by project › experiment, project, none, or the value of any param or tag. */
export type Grouping = 'experiment' | 'project' | 'none' | `params.${string}` | `tags.${string}`;

export const NO_EXPERIMENT = '(no experiment)';
/** The group of runs without the grouping param or tag. */
export const NO_VALUE = '(none)';

/** The param or tag a grouping is by, or null for the built-in ones. */
export function groupingKey(grouping: Grouping): { field: 'params' | 'tags'; key: string } | null {
  const m = /^(params|tags)\.(.+)$/s.exec(grouping);
  return m ? { field: m[1] as 'params' | 'tags', key: m[2] } : null;
}

/** One line of the table: a group header or a run. */
export type TableRow =
  | { kind: 'group'; key: string; project: string; experiment: string | null; count: number; collapsed: boolean }
  | { kind: 'run'; run: Run };

/** The group a run belongs to; its key is unique across projects. */
export function groupOf(run: Run, grouping: Grouping): { key: string; project: string; experiment: string | null } {
  const by = groupingKey(grouping);
  if (by !== null) {
    const value = run[by.field][by.key] ?? NO_VALUE;
    return { key: `${grouping}\u0000${value}`, project: `${by.key} = ${value}`, experiment: null };
  }
  if (grouping === 'project') return { key: `p:${run.project_id}`, project: run.project, experiment: null };
  const experiment = run.experiment ?? NO_EXPERIMENT;
  return { key: `p:${run.project_id}\u0000e:${experiment}`, project: run.project, experiment };
}

/**
 * The flat list of rows the table draws: with grouping, each group's header
 * followed by its runs (none when collapsed); groups by project then
 * experiment name, "(no experiment)" last; runs keep the order they come in
 * (sort them first).
 */
export function buildRows(sorted: readonly Run[], grouping: Grouping, collapsed: ReadonlySet<string>): TableRow[] {
  if (grouping === 'none') return sorted.map((run) => ({ kind: 'run', run }));
  const groups = new Map<string, { project: string; experiment: string | null; runs: Run[] }>();
  for (const run of sorted) {
    const g = groupOf(run, grouping);
    let entry = groups.get(g.key);
    if (!entry) {
      entry = { project: g.project, experiment: g.experiment, runs: [] };
      groups.set(g.key, entry);
    }
    entry.runs.push(run);
  }
  const by = groupingKey(grouping);
  const ordered = [...groups.entries()].sort(([ka, a], [kb, b]) => {
    if (by !== null) {
      // Values in natural order ("8" before "16"), runs without one last.
      const noneA = ka.endsWith(`\u0000${NO_VALUE}`);
      const noneB = kb.endsWith(`\u0000${NO_VALUE}`);
      if (noneA !== noneB) return noneA ? 1 : -1;
      return collator.compare(ka, kb) || (ka < kb ? -1 : ka > kb ? 1 : 0);
    }
    const byProject = collator.compare(a.project, b.project);
    if (byProject !== 0) return byProject;
    const noneA = a.experiment === NO_EXPERIMENT;
    const noneB = b.experiment === NO_EXPERIMENT;
    if (noneA !== noneB) return noneA ? 1 : -1;
    return collator.compare(a.experiment ?? '', b.experiment ?? '') || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });
  const rows: TableRow[] = [];
  for (const [key, group] of ordered) {
    const isCollapsed = collapsed.has(key);
    rows.push({
      kind: 'group',
      key,
      project: group.project,
      experiment: group.experiment,
      count: group.runs.length,
      collapsed: isCollapsed,
    });
    if (!isCollapsed) for (const run of group.runs) rows.push({ kind: 'run', run });
  }
  return rows;
}

/** How many columns the chooser shows before the user picks any. */
export const DEFAULT_METRIC_COLUMNS = 4;

/** The metrics most runs have (ties by name), as column ids: the columns before the user chooses. */
export function defaultColumns(runs: readonly Run[], count = DEFAULT_METRIC_COLUMNS): ColumnId[] {
  const seen = new Map<string, number>();
  for (const run of runs) for (const key of Object.keys(run.metrics)) seen.set(key, (seen.get(key) ?? 0) + 1);
  return [...seen.entries()]
    .sort((a, b) => b[1] - a[1] || collator.compare(a[0], b[0]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([key]) => keyColumnId('metrics', key));
}

/** Where the chosen columns are remembered (localStorage). Bump the version if the format changes. */
export const COLUMNS_STORAGE_KEY = 'driftdeck.runs.columns.v1';

/** The remembered choice, or null when there is none (or it is unreadable): then defaults apply. */
export function parseStoredColumns(text: string | null): ColumnId[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return null;
    const ids = value.filter((v): v is string => typeof v === 'string' && parseKeyColumn(v) !== null);
    return [...new Set(ids)] as ColumnId[];
  } catch {
    return null;
  }
}

export function serializeColumns(ids: readonly ColumnId[]): string {
  return JSON.stringify(ids);
}

/** The chosen columns the current runs can fill (a choice made in another project may name other keys). */
export function availableColumns(
  chosen: readonly ColumnId[],
  keys: { metric_keys: readonly string[]; param_keys: readonly string[]; tag_keys: readonly string[] },
): ColumnId[] {
  const sets: Record<KeyKind, Set<string>> = {
    metrics: new Set(keys.metric_keys),
    params: new Set(keys.param_keys),
    tags: new Set(keys.tag_keys),
  };
  return chosen.filter((id) => {
    const key = parseKeyColumn(id);
    return key !== null && sets[key.kind].has(key.key);
  });
}

/** Adds or removes one column, keeping the others' order. */
export function toggleColumn(chosen: readonly ColumnId[], id: ColumnId): ColumnId[] {
  return chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id];
}

/**
 * Selection after a click on a run's checkbox. A plain click toggles that run
 * and makes it the anchor; a shift-click selects every run from the anchor to
 * it (in table order), keeping the rest of the selection.
 */
export function clickSelection(
  selected: ReadonlySet<number>,
  order: readonly number[],
  anchor: number | null,
  clicked: number,
  shift: boolean,
): { selected: Set<number>; anchor: number } {
  const next = new Set(selected);
  const from = anchor === null ? -1 : order.indexOf(anchor);
  const to = order.indexOf(clicked);
  if (shift && from !== -1 && to !== -1) {
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    for (let i = lo; i <= hi; i++) next.add(order[i]);
    return { selected: next, anchor: order[from] };
  }
  if (next.has(clicked)) next.delete(clicked);
  else next.add(clicked);
  return { selected: next, anchor: clicked };
}

// Selection counts, kept O(selected) rather than O(runs): they are redone on
// every click of a checkbox, and a table can hold tens of thousands of runs.

/** Each run id's place in `ids` (the list as loaded), built once per list. */
export function positions(ids: readonly number[]): Map<number, number> {
  const map = new Map<number, number>();
  ids.forEach((id, i) => map.set(id, i));
  return map;
}

/** The selected ids that are in the list, in the list's order. */
export function selectedInOrder(selected: ReadonlySet<number>, position: ReadonlyMap<number, number>): number[] {
  const ids: number[] = [];
  for (const id of selected) if (position.has(id)) ids.push(id);
  return ids.sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
}

/** How many of `selected` are in `shown`. */
export function countShown(selected: ReadonlySet<number>, shown: ReadonlySet<number>): number {
  let n = 0;
  for (const id of selected) if (shown.has(id)) n += 1;
  return n;
}

/** A status as the badge shows it: upper case (MLflow's spelling), empty when unknown. */
export function normalStatus(status: string | null): string {
  return (status ?? '').trim().toUpperCase();
}

export function isDeleted(run: Pick<Run, 'lifecycle'>): boolean {
  return (run.lifecycle ?? '').toLowerCase() === 'deleted';
}
