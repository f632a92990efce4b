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
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import { DATA_FILE_EXTENSIONS } from './drift';
import { toAppError, type AppError } from './errors';

export type { AppError };

/**
 * A project folder in the catalog. `exists` is false when the folder is gone from disk;
 * `watch` is false when the app's watcher leaves it alone (listed and searchable, not re-indexed).
 */
export type Project = {
  id: number;
  path: string;
  name: string;
  added_at: string;
  exists: boolean;
  watch: boolean;
};

export type AppInfo = {
  version: string;
  catalog_path: string;
  schema_version: number;
  /** The bundled demo workspace folder; null when none is installed (then `addDemoProject` is refused). */
  demo_path: string | null;
  /** What the live watcher last reported, if it has started (it may report before the window listens). */
  activity?: CatalogActivity | null;
};

export type Theme = 'system' | 'light' | 'dark';

/** Where the catalog location comes from; `env` (DRIFTDECK_DB) cannot be changed in the app. */
export type CatalogSource = 'env' | 'settings' | 'default';

/** The app's settings, as the shell keeps them in its settings file. */
export type Settings = {
  /** The catalog in use (absolute). */
  catalog_path: string;
  /** Where the default catalog is. */
  catalog_default: string;
  catalog_source: CatalogSource;
  theme: Theme;
  /** The settings file (e.g. ~/.config/driftdeck/settings.toml). */
  settings_path: string;
};

/** What the native menu (or its keyboard shortcut) asked for. */
export type MenuId =
  | 'add-folder'
  | 'open-demo'
  | 'settings'
  | 'filter'
  | 'view-projects'
  | 'view-runs'
  | 'view-datasets'
  | 'view-compare'
  | 'view-fairness'
  | 'view-models'
  | 'view-settings'
  | 'about'
  | 'docs';

export type MenuEvent = { id: MenuId };

/** A watched project's reference/current datasets changed on disk and the check found drift (share >= max_share). */
export type DatasetDrifted = {
  project_id: number;
  /** The project's display name. */
  project: string;
  /** Absolute paths of the two files (from the project's driftdeck.toml [drift]). */
  reference: string;
  current: string;
  drifted_columns: number;
  columns: number;
  share: number;
  max_share: number;
  /** Names of drifted columns (at most 10). */
  drifted: string[];
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
 * `project_id` of the `catalog-changed` event sent after `setCatalogLocation`:
 * another catalog is open, so everything shown must be loaded again.
 */
export const CATALOG_REPLACED = -1;

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

/** A statistic as JSON carries it: infinite distances (KL, chi-square) are spelled out, like metric values. */
export type DriftNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** One side of a comparison: the file as it was read. `cached`: its profile came from the catalog's cache. */
export type DriftSide = { path: string; format: string; rows: number; columns: number; hash: string; cached: boolean };

/** Column differences between the two files; only the columns both have are tested. */
export type DriftSchema = {
  added: string[];
  removed: string[];
  type_changed: { column: string; reference: string; current: string }[];
};

/** A column on one side: which fields are present depends on its kind. */
export type SideSummary = {
  count: number;
  missing: number;
  distinct?: number | null;
  mean?: number | null;
  std?: number | null;
  min?: number | null;
  max?: number | null;
  median?: number | null;
};

/** Both sides binned on the same edges, as proportions per bin; `edges.length` is bins + 1. */
export type DriftHistogram = { edges: number[]; reference: number[]; current: number[] };

/** Both sides' category proportions; may end with an `(other)` category. */
export type DriftBars = { categories: string[]; reference: number[]; current: number[] };

export type EffectSize = {
  /** Machine name, e.g. `cohens_d`, `cramers_v`. */
  name: string;
  label: string;
  value: number;
  magnitude: 'negligible' | 'small' | 'medium' | 'large';
};

/** One column's test: what was chosen and why, what it found, and both sides' distributions. */
export type DriftColumn = {
  column: string;
  kind: ColumnKind;
  kind_source: 'inferred' | 'override';
  testable: boolean;
  not_testable_reason: string | null;
  /** A method name (see `driftMethods`); null when the column was not tested. */
  method: string | null;
  method_label: string | null;
  /** Why this method was chosen, in words. */
  reason: string | null;
  statistic: DriftNumber | null;
  p_value: number | null;
  /** What is compared with the threshold: the p-value, or the distance. */
  score: DriftNumber | null;
  threshold: number | null;
  rule: 'p_value_below' | 'distance_at_least' | null;
  drifted: boolean;
  approximate: boolean;
  effect_size: EffectSize | null;
  reference: SideSummary;
  current: SideSummary;
  categories: { new: string[]; new_count: number; missing: string[]; missing_count: number } | null;
  histogram: DriftHistogram | null;
  bars: DriftBars | null;
};

export type DriftReport = {
  format_version: 1;
  /** The app's handle on this report, for `driftColumnChart` and `exportDriftReport`. */
  id: number;
  reference: DriftSide;
  current: DriftSide;
  schema: DriftSchema;
  columns: DriftColumn[];
  tested_columns: number;
  drifted_columns: number;
  share_drifted: number;
  drift_share: number;
  dataset_drift: boolean;
  elapsed_ms: number;
};

/** What to compare and how; null fields take the engine's defaults. */
export type DriftRequest = {
  reference: string;
  current: string;
  columns?: string[] | null;
  method?: string | null;
  threshold?: number | null;
  drift_share?: number | null;
};

export type DriftProgress = {
  phase: 'reading' | 'profiling' | 'testing' | 'done';
  done: number;
  total: number;
  message: string;
};

/** A test the engine can run, for the method override. */
export type DriftMethod = {
  name: string;
  label: string;
  kinds: ColumnKind[];
  has_p_value: boolean;
  default_threshold: number;
};

/** A column of a predictions file, as the fairness form lists it. */
export type FairnessColumn = {
  name: string;
  dtype: string;
  kind: ColumnKind;
  /** Distinct values; null when not counted. */
  distinct: number | null;
  /** Up to 20 distinct values, as strings; null when there are more (or they were not read). */
  values: string[] | null;
};

/** A predictions file's columns and the engine's guesses for the form. */
export type FairnessColumns = {
  path: string;
  rows: number;
  columns: FairnessColumn[];
  guess: {
    label: string | null;
    prediction: string | null;
    positive_label: string | null;
    /** The guessed prediction column holds scores (compared with a threshold), not classes. */
    score: boolean;
    sensitive: string[];
  };
};

/** What to check and how; null fields take the engine's defaults. */
export type FairnessRequest = {
  path: string;
  label: string;
  prediction: string;
  sensitive: string[];
  positive_label?: string | null;
  score_threshold?: number | null;
  min_group_size?: number | null;
  /** An earlier predictions file: the report then says what moved. */
  compare_with?: string | null;
  bootstrap?: { replicates: number; seed: number } | null;
  max_difference?: number | null;
  min_ratio?: number | null;
};

/** One group's rates (Fairlearn's names); a null rate is undefined for the group, and `undefined` says why. */
export type FairnessGroup = {
  /** The group's values joined as Fairlearn prints intersections: `F | 18-29`. */
  label: string;
  values: string[];
  count: number;
  below_min_size: boolean;
  selection_rate: number | null;
  true_positive_rate: number | null;
  false_positive_rate: number | null;
  true_negative_rate: number | null;
  false_negative_rate: number | null;
  accuracy: number | null;
  precision: number | null;
  undefined: { metric: string; reason: string }[];
};

/** A bootstrap percentile interval. */
export type FairnessInterval = { low: number; high: number; confidence: number };

/** A Fairlearn disparity; only `between_groups` ones are judged (`violated` is null for `to_overall`). */
export type FairnessDisparity = {
  name: string;
  method: 'between_groups' | 'to_overall';
  value: number | null;
  interval: FairnessInterval | null;
  threshold: number;
  kind: 'difference' | 'ratio';
  violated: boolean | null;
};

/** One sensitive column, or the intersection of all of them. */
export type FairnessGrouping = {
  columns: string[];
  groups: FairnessGroup[];
  disparities: FairnessDisparity[];
  /** The four-fifths rule on selection rates. */
  disparate_impact: {
    ratio: number | null;
    four_fifths_violation: boolean | null;
    lowest_group: string | null;
    highest_group: string | null;
    interval: FairnessInterval | null;
  };
};

/** A group's metric in the earlier file and in this one. */
export type FairnessChange = {
  grouping: string;
  group: string;
  metric: string;
  before: number | null;
  after: number | null;
  change: number | null;
};

export type FairnessReport = {
  format_version: 1;
  /** The app's handle on this report, for `fairnessChart` and `exportFairnessReport`. */
  id: number;
  data: { path: string; format: string; rows: number; hash: string };
  label: string;
  prediction: string;
  positive_label: string;
  /** Set when the prediction column holds scores. */
  score_threshold: number | null;
  sensitive: string[];
  min_group_size: number;
  max_difference: number;
  min_ratio: number;
  overall: FairnessGroup;
  /** Each sensitive column, then their intersection. */
  groupings: FairnessGrouping[];
  violations: number;
  passed: boolean;
  elapsed_ms: number;
  comparison: { path: string; rows: number; changes: FairnessChange[] } | null;
};

/** Where a model stands on its way to the team's registry. */
export type ModelStatus = 'candidate' | 'approved' | 'rejected' | 'published';

/** One check of the project's approval policy (driftdeck.toml), run on the model as it is now. */
export type CheckItem = {
  id: string;
  label: string;
  kind: 'metric' | 'drift' | 'fairness' | 'file';
  /** `error`: the check could not be run (a missing file, a metric the run never logged). */
  status: 'pass' | 'fail' | 'error';
  /** The policy's rule in words: `>= 0.85`, `no dataset drift`. */
  expected: string;
  actual: string | null;
  detail: string | null;
};

/** A decision on a model, bound to the content it was made on. */
export type Approval = {
  decision: 'approved' | 'rejected';
  actor: string;
  at_ms: number;
  note: string;
  /** Why it was approved although checks failed; null when none did. */
  override_note: string | null;
  content_hash: string;
};

/** A version this model became in a registry. */
export type Publication = { registry: string; name: string; version: string; url: string; at_ms: number };

/** A model's checks, its latest decision and its publications. */
export type ModelApproval = {
  model_id: number;
  path: string;
  /** The model's content as the checks saw it; an approval of other content does not count. */
  content_hash: string;
  status: ModelStatus;
  /** The policy file the checks came from; null when the project has none (then there are no checks). */
  policy: string | null;
  checks: CheckItem[];
  all_passed: boolean;
  approval: Approval | null;
  publications: Publication[];
};

export type Decision = 'approve' | 'reject';

export type PublishState = 'queued' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

/**
 * A publish in the outbox: the shell uploads the model, registers a version
 * and sets the alias, retrying with back-off (`waiting`) when the registry
 * cannot be reached. `publish-progress` events carry the whole job.
 */
export type PublishJob = {
  id: number;
  model_id: number | null;
  model_path: string;
  content_hash: string;
  registry: string;
  name: string;
  alias: string | null;
  state: PublishState;
  /** What it is doing, in words. */
  step: string;
  bytes_done: number;
  bytes_total: number;
  attempts: number;
  error: string | null;
  /** Unix ms of the next try while `waiting`. */
  next_attempt_ms: number | null;
  version: string | null;
  version_url: string | null;
  created_ms: number;
  updated_ms: number;
};

export type PublishRequest = { modelId: number; name: string; alias: string | null; registry: string | null };

export type RegistryAuth = 'basic' | 'bearer' | 'none';

/** A registry the app can publish to; its secret, if any, is in the OS keyring, never sent to the UI. */
export type RegistryConnection = {
  url: string;
  auth: RegistryAuth;
  username: string | null;
  ca_file: string | null;
  is_default: boolean;
  has_secret: boolean;
  /** The keyring backend that holds the secret (e.g. `Secret Service`). */
  keyring: string;
};

export type RegistryLogin = {
  url: string;
  auth: RegistryAuth;
  username: string | null;
  secret: string | null;
  caFile: string | null;
};

export type RemoteVersion = {
  version: string;
  status: string | null;
  source: string | null;
  run_id: string | null;
  description: string | null;
  tags: Record<string, string>;
  aliases: string[];
  created_ms: number | null;
  url: string;
};

/** A registered model of a team registry, as last pulled into the catalog. */
export type RemoteModel = {
  registry: string;
  name: string;
  description: string | null;
  /** Alias -> version. */
  aliases: Record<string, string>;
  pulled_ms: number;
  url: string;
  versions: RemoteVersion[];
};

export type AliasMove = 'promote' | 'rollback';

/** Who did what to which model, and when: decisions, publishes, alias moves. */
export type AuditEntry = {
  id: number;
  at_ms: number;
  actor: string;
  action: string;
  subject: string;
  content_hash: string | null;
  note: string | null;
  details: Record<string, unknown>;
};

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

/** Adds the bundled demo workspace as a project; rejects with `not_found` when there is none (see `AppInfo.demo_path`). */
export function addDemoProject(): Promise<Project> {
  return call<Project>('add_demo_project');
}

/** Turns the watcher on or off for one project. */
export function setProjectWatch(id: number, watch: boolean): Promise<Project> {
  return call<Project>('set_project_watch', { id, watch });
}

export function settings(): Promise<Settings> {
  return call<Settings>('settings');
}

/** Saves the theme; the shell also sets the native window's theme. */
export function setTheme(theme: Theme): Promise<Settings> {
  return call<Settings>('set_theme', { theme });
}

/**
 * Moves the catalog to `<path>/catalog.sqlite` (a folder), or back to the
 * default location (null). With `copy`, the current catalog is copied there
 * when no catalog exists there yet. The shell reopens the catalog and then
 * sends `catalog-changed` with `CATALOG_REPLACED`. Refused (`bad_input`)
 * while DRIFTDECK_DB sets the catalog.
 */
export function setCatalogLocation(path: string | null, copy: boolean): Promise<Settings> {
  return call<Settings>('set_catalog_location', { path, copy });
}

/** Tells the shell the first rows are on screen (its start-up benchmark stops there). Call once. */
export function startupReady(): Promise<void> {
  return call<void>('startup_ready');
}

/** Opens an http(s) URL in the system browser (other schemes are refused). */
export function openLink(url: string): Promise<void> {
  return call<void>('open_link', { url });
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

/** Opens the native picker for tabular files (several may be chosen); `[]` when the user cancels. */
export async function pickDataFiles(): Promise<string[]> {
  try {
    const picked = await open({
      multiple: true,
      filters: [{ name: 'Tabular data', extensions: [...DATA_FILE_EXTENSIONS] }],
    });
    if (picked === null) return [];
    return Array.isArray(picked) ? picked : [picked];
  } catch (err) {
    throw toAppError(err);
  }
}

/** Opens the native save dialog on `defaultName`; `null` when the user cancels. */
export async function pickSavePath(defaultName: string, extension: string): Promise<string | null> {
  try {
    return await save({
      defaultPath: defaultName,
      filters: [{ name: extension.toUpperCase(), extensions: [extension] }],
    });
  } catch (err) {
    throw toAppError(err);
  }
}

/** A point in the window in CSS pixels: what `document.elementFromPoint` takes. */
export type DropPoint = { x: number; y: number };

export type FileDropHandlers = {
  /** Something is being dragged over the window, now at `at`. */
  onOver?: (at: DropPoint) => void;
  /** The drag left the window or was cancelled. */
  onLeave?: () => void;
  /**
   * Paths were dropped on the window at `at` (files or folders, in the order
   * the OS gave them; the view on screen decides what it accepts).
   */
  onDrop: (paths: string[], at: DropPoint) => void;
};

/**
 * Tauri gives drop positions in physical pixels from the webview's top-left
 * corner; the DOM works in CSS pixels.
 */
function cssPoint(position: { x: number; y: number }): DropPoint {
  const ratio = globalThis.devicePixelRatio > 0 ? globalThis.devicePixelRatio : 1;
  return { x: position.x / ratio, y: position.y / ratio };
}

/**
 * Subscribes to OS drag-and-drop on this window. Resolves to a function that
 * unsubscribes. The webview, not the DOM, receives native drops: with Tauri's
 * drag-drop handling on, DOM `drop` events carry no file paths, so the
 * position is how a view tells what the drop landed on.
 */
export async function onFileDrop(handlers: FileDropHandlers): Promise<() => void> {
  try {
    const unlisten = await getCurrentWebview().onDragDropEvent((event) => {
      const payload = event.payload;
      switch (payload.type) {
        case 'enter':
        case 'over':
          handlers.onOver?.(cssPoint(payload.position));
          break;
        case 'leave':
          handlers.onLeave?.();
          break;
        case 'drop':
          handlers.onDrop(payload.paths, cssPoint(payload.position));
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

/**
 * Compares two tabular files for drift. Progress comes over a channel (a
 * stream for this one call, not an app-wide event) until the report resolves.
 */
export function compareDatasets(request: DriftRequest, onProgress: (progress: DriftProgress) => void): Promise<DriftReport> {
  const channel = new Channel<DriftProgress>();
  channel.onmessage = onProgress;
  const sent: DriftRequest = { ...request, columns: request.columns ? [...request.columns] : request.columns };
  return call<DriftReport>('compare_datasets', { request: sent, onProgress: channel });
}

export function driftMethods(): Promise<DriftMethod[]> {
  return call<DriftMethod[]>('drift_methods');
}

/** One column's distributions drawn by the shell: overlaid histograms or grouped category bars. */
export function driftColumnChart(reportId: number, column: string): Promise<{ svg: string }> {
  return call<{ svg: string }>('drift_column_chart', { reportId, column });
}

export function exportDriftReport(reportId: number, format: 'html' | 'json', path: string): Promise<void> {
  return call<void>('export_drift_report', { reportId, format, path });
}

/** A predictions file's columns, with the engine's guesses of label, prediction and sensitive columns. */
export function fairnessColumns(path: string): Promise<FairnessColumns> {
  return call<FairnessColumns>('fairness_columns', { path });
}

/** Measures a classifier's fairness across the groups of the sensitive columns. */
export function runFairness(request: FairnessRequest): Promise<FairnessReport> {
  const sent: FairnessRequest = {
    ...request,
    sensitive: [...request.sensitive],
    bootstrap: request.bootstrap ? { ...request.bootstrap } : request.bootstrap,
  };
  return call<FairnessReport>('fairness_report', { request: sent });
}

/** One grouping's bars of `metric` per group, with the overall line and the parity band, drawn by the shell. */
export function fairnessChart(reportId: number, grouping: number, metric: string): Promise<{ svg: string }> {
  return call<{ svg: string }>('fairness_chart', { reportId, grouping, metric });
}

export function exportFairnessReport(reportId: number, format: 'html' | 'json', path: string): Promise<void> {
  return call<void>('export_fairness_report', { reportId, format, path });
}

/** Runs the model's approval checks (they read metrics and files: about a second) and returns them with its status. */
export function modelApproval(modelId: number): Promise<ModelApproval> {
  return call<ModelApproval>('model_approval', { modelId });
}

/**
 * Approves or rejects a model. A note is required; approving a model whose
 * checks failed also needs `overrideNote` (the shell refuses with `bad_input`).
 */
export function decideModel(modelId: number, decision: Decision, note: string, overrideNote: string | null): Promise<ModelApproval> {
  return call<ModelApproval>('decide_model', { modelId, decision, note, overrideNote });
}

/** Queues a publish of an approved model; progress comes as `publish-progress` events (see `onPublishProgress`). */
export function publishModel(request: PublishRequest): Promise<PublishJob> {
  return call<PublishJob>('publish_model', { ...request });
}

export function publishJobs(): Promise<PublishJob[]> {
  return call<PublishJob[]>('publish_jobs');
}

export function cancelPublish(jobId: number): Promise<PublishJob> {
  return call<PublishJob>('cancel_publish', { jobId });
}

export function registryConnections(): Promise<RegistryConnection[]> {
  return call<RegistryConnection[]>('registry_connections');
}

/** Checks the credentials against the registry and stores the secret in the OS keyring. */
export function registryLogin(login: RegistryLogin): Promise<RegistryConnection> {
  return call<RegistryConnection>('registry_login', { ...login });
}

export function registryLogout(url: string): Promise<void> {
  return call<void>('registry_logout', { url });
}

/** Reads the registry's models over the network into the catalog; rejects with `remote` when it cannot. null: the default registry. */
export function registryPull(registry: string | null): Promise<RemoteModel[]> {
  return call<RemoteModel[]>('registry_pull', { registry });
}

/** The registry's models as last pulled (no network). */
export function remoteModels(registry: string | null): Promise<RemoteModel[]> {
  return call<RemoteModel[]>('remote_models', { registry });
}

/** Promotes the challenger to champion, or points champion back at the version it had before. */
export function moveAlias(registry: string | null, name: string, action: AliasMove): Promise<RemoteModel> {
  return call<RemoteModel>('move_alias', { registry, name, action });
}

/** The audit log of one model, or of everything (null), newest first. */
export function auditLog(modelId: number | null): Promise<AuditEntry[]> {
  return call<AuditEntry[]>('audit_log', { modelId });
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

/** Every change of a publish job (the whole job), from the shell's outbox. */
export function onPublishProgress(handler: (job: PublishJob) => void): Promise<() => void> {
  return subscribe('publish-progress', handler);
}

/** The native menu was used (see `MenuId`). */
export function onMenu(handler: (event: MenuEvent) => void): Promise<() => void> {
  return subscribe('menu', handler);
}

/** A watched project's datasets drifted (the shell shows a desktop notification too). */
export function onDatasetDrifted(handler: (drift: DatasetDrifted) => void): Promise<() => void> {
  return subscribe('dataset-drifted', handler);
}
