/**
 * Saved views as the UI holds them: what the Runs and Charts views show
 * (project, filter, sort, the table's key columns, the grouping and the
 * charts' settings) to and from the engine's `ViewSpec`.
 */
import type { RunsExport, SavedView, ViewSpec } from './backend';
import { fromSettings, toSettings, type ChartView } from './charts';
import { DEFAULT_SORT, type ColumnId, type Sort } from './runs';

/** The table's built-in sort columns as the engine's filter keys name them. */
const SORT_KEYS: Partial<Record<string, string>> = {
  name: 'name',
  status: 'status',
  experiment: 'experiment',
  start: 'start_time',
};

/** A table sort as a view's sort (`metrics.rmse:desc`); null for one the engine cannot sort by (duration). */
export function sortText(sort: Sort): string | null {
  const key = SORT_KEYS[sort.column] ?? (sort.column.includes('.') ? sort.column : null);
  return key === null ? null : `${key}:${sort.direction}`;
}

/** A view's sort as the table's; the default for none or one it does not show. */
export function parseSort(text: string | null | undefined): Sort {
  if (!text) return DEFAULT_SORT;
  const i = text.lastIndexOf(':');
  const [key, dir] = i > 0 ? [text.slice(0, i), text.slice(i + 1).toLowerCase()] : [text, 'asc'];
  const direction = dir === 'desc' ? 'desc' : 'asc';
  const builtin = Object.entries(SORT_KEYS).find(([, v]) => v === key)?.[0];
  if (builtin) return { column: builtin as ColumnId, direction };
  if (/^(metrics|params|tags)\..+/.test(key)) return { column: key as ColumnId, direction };
  return DEFAULT_SORT;
}

export type ViewState = {
  projectId: number | null;
  filter: string;
  sort: Sort;
  columns: readonly ColumnId[];
  chartView: ChartView;
  metrics: readonly string[];
};

export function specOf(state: ViewState): ViewSpec {
  return {
    project: state.projectId,
    filter: state.filter.trim() || null,
    sort: sortText(state.sort),
    columns: state.columns.filter((c) => c.includes('.')),
    group_by: state.chartView.groupBy,
    charts: toSettings(state.chartView, state.metrics),
  };
}

export function stateOf(view: SavedView): ViewState {
  const spec = view.spec;
  return {
    projectId: spec.project ?? null,
    filter: spec.filter ?? '',
    sort: parseSort(spec.sort),
    columns: (spec.columns ?? []) as ColumnId[],
    chartView: fromSettings(spec.charts, spec.group_by ?? null),
    metrics: spec.charts?.metrics ?? [],
  };
}

/** The runs table as the user sees it (filtered, sorted, with its key columns) as a file of `format`. */
export function runsExportOf(
  state: Pick<ViewState, 'projectId' | 'filter' | 'sort' | 'columns'>,
  format: 'csv' | 'parquet',
): RunsExport {
  return {
    project: state.projectId,
    filter: state.filter.trim() || null,
    sort: sortText(state.sort),
    columns: state.columns.filter((c) => c.includes('.')),
    format,
  };
}
