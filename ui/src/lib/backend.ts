/**
 * The one door between the UI and the desktop shell.
 *
 * Architecture invariant: this is the only module that imports
 * `@tauri-apps/*` (a unit test enforces it). Components call the typed
 * functions below and never see `invoke`, command names or Tauri event names,
 * so the shell's IPC surface is listed in exactly one place, and tests can
 * replace the whole backend by mocking Tauri's IPC.
 *
 * Every function rejects with an `AppError` and nothing else.
 */
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open } from '@tauri-apps/plugin-dialog';
import { toAppError, type AppError } from './errors';

export type { AppError };

/** A project folder in the catalog. `exists` is false when the folder is gone from disk. */
export type Project = {
  id: number;
  path: string;
  name: string;
  added_at: string;
  exists: boolean;
};

export type AppInfo = {
  version: string;
  catalog_path: string;
  schema_version: number;
};

/** A metric's final value: a number, or one of the three non-finite values spelled out (JSON has no NaN). */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

/** An experiment run (MLflow, DVC, TensorBoard, W&B offline, run folders) as the catalog holds it. */
export type Run = {
  /** Catalog id: what compareRuns and metricChart take. */
  id: number;
  project_id: number;
  project: string;
  /** The reader that found it: `mlflow`, `dvc`, `tensorboard`, `wandb`, ... */
  source: string;
  /** The run's own id in its tool. */
  run_id: string;
  experiment: string | null;
  parent_run_id: string | null;
  name: string | null;
  status: string | null;
  /** MLflow's lifecycle stage: `active` or `deleted`. */
  lifecycle: string | null;
  user: string | null;
  /** Unix milliseconds. */
  start_time: number | null;
  end_time: number | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Final values. */
  metrics: Record<string, MetricValue>;
};

export type RunList = {
  /** The runs that pass the filter. */
  runs: Run[];
  /** Every key among all runs of the project(s) before the filter, sorted. */
  metric_keys: string[];
  param_keys: string[];
  tag_keys: string[];
  /** Runs before the filter. */
  total: number;
};

export type CompareSection = 'attribute' | 'param' | 'metric' | 'tag';

export type CompareRow = {
  section: CompareSection;
  /** As filters write it: `status`, `params.lr`, `metrics.val/auc`, `tags.stage`. */
  key: string;
  /** One per run, in the order of `runs`; null where the run has no value. */
  values: (string | null)[];
  differs: boolean;
};

export type RunComparison = { runs: Run[]; rows: CompareRow[] };

export type MetricChart = {
  /** A complete SVG document. */
  svg: string;
  /** Each run's line colour (CSS hex), in the order of the request's run ids. */
  colors: string[];
  /** Points drawn in all: every point of every history. */
  points: number;
};

export type ChartRequest = {
  runIds: readonly number[];
  key: string;
  width?: number;
  height?: number;
  dark?: boolean;
};

export type ColumnKind = 'numerical' | 'categorical' | 'boolean' | 'datetime' | 'text';

export type DatasetColumn = {
  name: string;
  /** Polars' dtype: `f64`, `i64`, `str`, `bool`, `datetime[μs, UTC]`, ... */
  dtype: string;
  kind: ColumnKind;
  nulls: number;
  /** Statistics whose shape depends on `kind` (see src/data/profile.rs); read it with lib/profile.ts. */
  profile: unknown;
};

export type Dataset = {
  id: number;
  /** Project name. */
  project: string;
  /** Project-relative path. */
  path: string;
  absolute_path: string;
  format: string;
  rows: number | null;
  bytes: number;
  hash: string | null;
  columns: DatasetColumn[];
};

export type LineageRun = { id: number; name: string | null; run_id: string };

export type Model = {
  id: number;
  project: string;
  path: string;
  absolute_path: string;
  format: string;
  name: string | null;
  model_id: string | null;
  bytes: number;
  hash: string | null;
  /** What the format's reader found (JSON of any shape). */
  details: unknown;
  /** The runs that produced it. */
  runs: LineageRun[];
  /** Project-relative paths of the datasets those runs used. */
  datasets: string[];
};

export type ModelVersion = {
  version: string;
  run_id: string | null;
  model_id: string | null;
  status: string | null;
};

export type RegisteredModel = {
  project: string;
  name: string;
  description: string | null;
  /** Alias -> version; null when the catalog holds something unreadable. */
  aliases: Record<string, string> | null;
  tags: Record<string, string> | null;
  versions: ModelVersion[];
};

export type ModelList = { models: Model[]; registered: RegisteredModel[] };

/** A file a reader could not read (the rest of the index went on). */
export type Problem = { project: string; path: string; reader: string; message: string };

/** Something in the catalog changed: views showing `project_id` reload. */
export type CatalogChanged = { project_id: number; units_read: number; units_removed: number };

/**
 * What the watcher is doing. `watching`: idle, `done` = `total` = projects watched;
 * otherwise an index runs over `project_id` and `done`/`total` count its files or units.
 */
export type CatalogActivity = {
  state: 'watching' | 'walking' | 'hashing' | 'reading';
  project_id: number | null;
  done: number;
  total: number;
};

export type CatalogWarning = { project_id: number | null; message: string };

/** `invoke` with its rejection normalised to an `AppError`. */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toAppError(err);
  }
}

export function listProjects(): Promise<Project[]> {
  return call<Project[]>('list_projects');
}

export function addProject(path: string): Promise<Project> {
  return call<Project>('add_project', { path });
}

export function removeProject(id: number): Promise<void> {
  return call<void>('remove_project', { id });
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

/** Opens the native folder picker; `null` when the user cancels. */
export async function pickFolder(): Promise<string | null> {
  try {
    const picked = await open({ directory: true, multiple: false });
    // Typed as string | string[] | null; with `multiple: false` it is never an array.
    return Array.isArray(picked) ? (picked[0] ?? null) : picked;
  } catch (err) {
    throw toAppError(err);
  }
}

export type FolderDropHandlers = {
  /** Something is being dragged over the window. */
  onOver?: () => void;
  /** The drag left the window or was cancelled. */
  onLeave?: () => void;
  /** Paths were dropped on the window (files or folders; the shell decides what it accepts). */
  onDrop: (paths: string[]) => void;
};

/**
 * Subscribes to OS drag-and-drop on this window. Resolves to a function that
 * unsubscribes. The webview, not the DOM, receives native drops: with Tauri's
 * drag-drop handling on, DOM `drop` events carry no file paths.
 */
export async function onFolderDrop(handlers: FolderDropHandlers): Promise<() => void> {
  try {
    const unlisten = await getCurrentWebview().onDragDropEvent((event) => {
      const payload = event.payload;
      switch (payload.type) {
        case 'enter':
        case 'over':
          handlers.onOver?.();
          break;
        case 'leave':
          handlers.onLeave?.();
          break;
        case 'drop':
          handlers.onDrop(payload.paths);
          break;
      }
    });
    return () => void unlisten();
  } catch (err) {
    throw toAppError(err);
  }
}

/** Runs of one project (or all), filtered with an MLflow-style expression; rejects with `bad_filter`. */
export function listRuns(
  options: { projectId?: number | null; filter?: string | null } = {},
): Promise<RunList> {
  return call<RunList>('list_runs', {
    projectId: options.projectId ?? null,
    filter: options.filter ?? null,
  });
}

// Arrays are copied before they cross: callers may hand in Svelte state
// proxies, which the IPC layer's structured clone refuses.

export function compareRuns(ids: readonly number[]): Promise<RunComparison> {
  return call<RunComparison>('compare_runs', { ids: [...ids] });
}

export function metricChart(request: ChartRequest): Promise<MetricChart> {
  return call<MetricChart>('metric_chart', { ...request, runIds: [...request.runIds] });
}

export function listDatasets(projectId: number | null = null): Promise<Dataset[]> {
  return call<Dataset[]>('list_datasets', { projectId });
}

export function listModels(projectId: number | null = null): Promise<ModelList> {
  return call<ModelList>('list_models', { projectId });
}

export function listProblems(projectId: number | null = null): Promise<Problem[]> {
  return call<Problem[]>('list_problems', { projectId });
}

/** Subscribes `handler` to a shell event; resolves to a function that unsubscribes. */
async function subscribe<T>(event: string, handler: (payload: T) => void): Promise<() => void> {
  try {
    const unlisten = await listen<T>(event, (e) => handler(e.payload));
    return () => void unlisten();
  } catch (err) {
    throw toAppError(err);
  }
}

export function onCatalogChanged(handler: (change: CatalogChanged) => void): Promise<() => void> {
  return subscribe('catalog-changed', handler);
}

export function onCatalogActivity(handler: (activity: CatalogActivity) => void): Promise<() => void> {
  return subscribe('catalog-activity', handler);
}

export function onCatalogWarning(handler: (warning: CatalogWarning) => void): Promise<() => void> {
  return subscribe('catalog-warning', handler);
}
