/**
 * The one door between the UI and the desktop shell.
 *
 * Architecture invariant: this is the only hand-written module that imports
 * `@tauri-apps/*` or the generated `./ipc` (a unit test enforces it).
 * Components call the typed functions below and never see `invoke`, command
 * names or Tauri event names, so tests can replace the whole backend by
 * mocking Tauri's IPC.
 *
 * Every type that crosses IPC is declared once, in Rust, and generated into
 * `./ipc.ts` by tauri-specta (`make ipc`); this module only gives them the
 * names the UI uses. Every function rejects with an `AppError` and nothing
 * else.
 */
import { Channel } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import { DATA_FILE_EXTENSIONS } from './drift';
import { toAppError, type AppError } from './errors';
import { decodeChartData, type ChartData } from './series';
import * as ipc from './ipc';
import { commands, events } from './ipc';

export type { AppError };

// The shell's types under the names the UI uses. Fields are documented in
// ipc.ts (from the Rust doc comments).

/**
 * A project folder in the catalog. `exists` is false when the folder is gone from disk;
 * `watch` is false when the app's watcher leaves it alone (listed and searchable, not re-indexed).
 */
export type Project = ipc.ProjectJson;
export type AppInfo = ipc.AppInfo;
export type Theme = ipc.Theme;
/** Where the catalog location comes from; `env` (DRIFTDECK_DB) cannot be changed in the app. */
export type CatalogSource = ipc.CatalogSource;
/** The app's settings, as the shell keeps them in its settings file. */
export type Settings = ipc.SettingsView;

/** What the native menu (or its keyboard shortcut) asked for. `view-settings` is the UI's own. */
export type MenuId = (typeof ipc.MENU_IDS)[number] | 'view-settings';
export const MENU_IDS = ipc.MENU_IDS;
/** The charts' run colours, the same in the engine's exported images. */
export const RUN_PALETTE = ipc.RUN_PALETTE;
export type MenuEvent = { id: MenuId };

/** A watched project's reference/current datasets changed on disk and the check found drift (share > max_share). */
export type DatasetDrifted = ipc.DriftAlert;

/** A metric's final value: a number, or one of the three non-finite values spelled out (JSON has no NaN). */
export type MetricValue = ipc.JsonNumber;

/** An experiment run (MLflow, DVC, TensorBoard, W&B offline, run folders) as the catalog holds it. */
export type Run = ipc.RunRow;
export type RunList = ipc.RunList;
export type CompareSection = 'attribute' | 'param' | 'metric' | 'tag';
export type CompareRow = ipc.CompareRow;
export type RunComparison = ipc.RunComparison;
/** A value's difference from the baseline run's. */
export type Delta = ipc.Delta;

/** What an interactive chart asks for: one metric of some runs on an x axis, smoothed, maybe grouped. */
export type ChartDataRequest = ipc.ChartRequest;
/** What a chart's binary data holds (see `lib/series.ts`). */
export type ChartHeader = ipc.ChartHeader;
export type SeriesHeader = ipc.SeriesHeader;
export type GroupHeader = ipc.GroupHeader;
/** The finite values' range of a line: min, max, 5th and 95th percentiles. */
export type Spread = ipc.Spread;
/** A chart as a file (`svg`, `png`, `csv`), and the runs table as one (`csv`, `parquet`). */
export type ChartExport = ipc.ChartExport;
export type RunsExport = ipc.RunsExport;
/** A sweep: the runs' params and a metric as axes, with each param's importance for it. */
export type SweepRequest = ipc.SweepRequest;
export type Sweep = ipc.Sweep;
export type SweepAxis = ipc.Axis;
export type Importance = ipc.Importance;
/** A saved view of the runs, and what it shows. */
export type SavedView = ipc.SavedView;
export type ViewSpec = ipc.ViewSpec;
export type ChartSettings = ipc.ChartSettings;

export type ColumnKind = 'numerical' | 'categorical' | 'boolean' | 'datetime' | 'text';
export type DatasetColumn = ipc.ColumnJson;
export type Dataset = ipc.DatasetJson;
export type LineageRun = ipc.LineageRunJson;
export type Model = ipc.ModelJson;
export type ModelVersion = ipc.ModelVersionRow;
export type RegisteredModel = ipc.RegisteredModelRow;
export type ModelList = ipc.ModelList;
/** A file a reader could not read (the rest of the index went on). */
export type Problem = ipc.ProblemRow;

export type CatalogChanged = ipc.CatalogChanged;
/**
 * `project_id` of the `catalog-changed` event sent after `setCatalogLocation`:
 * another catalog is open, so everything shown must be loaded again.
 */
export const CATALOG_REPLACED = ipc.CATALOG_REPLACED;
export type CatalogActivity = ipc.CatalogActivity;
export type CatalogWarning = ipc.CatalogWarning;

/** A statistic as JSON carries it: infinite distances (KL, chi-square) are spelled out, like metric values. */
export type DriftNumber = ipc.JsonNumber;
export type DriftSide = ipc.SideInfo;
export type DriftSchema = ipc.SchemaDiff;
export type SideSummary = ipc.SideSummary;
export type DriftHistogram = ipc.Histogram;
export type DriftBars = ipc.Bars;
export type EffectSize = ipc.EffectSize;
export type DriftColumn = ipc.ColumnResult;
/** A drift report, with the app's handle on it (`id`) for `driftColumnChart` and `exportDriftReport`. */
export type DriftReport = ipc.Kept<ipc.DriftReport>;
/** What to compare and how; absent fields take the engine's defaults. */
export type DriftRequest = Pick<ipc.CompareRequest, 'reference' | 'current'> &
  Partial<Omit<ipc.CompareRequest, 'reference' | 'current'>>;
export type DriftProgress = ipc.Progress;
export type DriftMethod = ipc.MethodInfo;

export type FairnessColumn = ipc.ColumnInfo;
export type FairnessColumns = ipc.FileColumns;
export type FairnessRequest = ipc.FairnessForm;
export type FairnessGroup = ipc.GroupRates;
export type FairnessInterval = ipc.IntervalBounds;
export type FairnessDisparity = ipc.DisparityResult;
export type FairnessGrouping = ipc.GroupingResult;
export type FairnessChange = ipc.MetricChange;
/** A fairness report, with the app's handle on it (`id`) for `fairnessChart` and `exportFairnessReport`. */
export type FairnessReport = ipc.Kept<ipc.FairnessCheck>;

/** Where a model stands on its way to the team's registry. */
export type ModelStatus = ipc.StatusName;
export type CheckItem = ipc.Check;
export type Approval = ipc.Approval;
export type Publication = ipc.Publication;
export type ModelApproval = ipc.ModelReview;
export type Decision = ipc.Decision;
export type PublishState = ipc.JobState;
/**
 * A publish in the outbox: the shell uploads the model, registers a version
 * and sets the alias, retrying with back-off (`waiting`) when the registry
 * cannot be reached. `publish-progress` events carry the whole job.
 */
export type PublishJob = ipc.JobRow;
export type PublishRequest = { modelId: number; name: string; alias: string | null; registry: string | null };
export type RegistryAuth = 'basic' | 'bearer' | 'none';
/** A registry the app can publish to; its secret, if any, is in the OS keyring, never sent to the UI. */
export type RegistryConnection = ipc.ConnectionInfo;
export type RegistryLogin = {
  url: string;
  auth: RegistryAuth;
  username: string | null;
  secret: string | null;
  caFile: string | null;
};
/** A registered model of a team registry, as last pulled into the catalog. */
export type RemoteModel = ipc.RemoteModelJson;
export type RemoteVersion = ipc.RemoteVersion;
export type AliasMove = ipc.AliasMove;
/** Who did what to which model, and when: decisions, publishes, alias moves. */
export type AuditEntry = ipc.AuditEntry;

/** A command's promise with its rejection normalised to an `AppError`. */
async function call<T>(pending: () => Promise<T>): Promise<T> {
  try {
    return await pending();
  } catch (err) {
    throw toAppError(err);
  }
}

// Arrays and objects are copied before they cross: callers may hand in Svelte
// state proxies, which the IPC layer's structured clone refuses.

export function listProjects(): Promise<Project[]> {
  return call(() => commands.listProjects());
}

export function addProject(path: string): Promise<Project> {
  return call(() => commands.addProject(path));
}

export function removeProject(id: number): Promise<void> {
  return call(async () => void (await commands.removeProject(id)));
}

export function appInfo(): Promise<AppInfo> {
  return call(() => commands.appInfo());
}

/** Adds the bundled demo workspace as a project; rejects with `not_found` when there is none (see `AppInfo.demo_path`). */
export function addDemoProject(): Promise<Project> {
  return call(() => commands.addDemoProject());
}

/** Turns the watcher on or off for one project. */
export function setProjectWatch(id: number, watch: boolean): Promise<Project> {
  return call(() => commands.setProjectWatch(id, watch));
}

export function settings(): Promise<Settings> {
  return call(() => commands.settings());
}

/** Saves the theme; the shell also sets the native window's theme. */
export function setTheme(theme: Theme): Promise<Settings> {
  return call(() => commands.setTheme(theme));
}

/**
 * Moves the catalog to `<path>/catalog.sqlite` (a folder), or back to the
 * default location (null). With `copy`, the current catalog is copied there
 * when no catalog exists there yet. The shell reopens the catalog and then
 * sends `catalog-changed` with `CATALOG_REPLACED`. Refused (`bad_input`)
 * while DRIFTDECK_DB sets the catalog.
 */
export function setCatalogLocation(path: string | null, copy: boolean): Promise<Settings> {
  return call(() => commands.setCatalogLocation(path, copy));
}

/** Tells the shell the first rows are on screen (its start-up benchmark stops there). Call once. */
export function startupReady(): Promise<void> {
  return call(async () => void (await commands.startupReady()));
}

/** Opens an http(s) URL in the system browser (other schemes are refused). */
export function openLink(url: string): Promise<void> {
  return call(async () => void (await commands.openLink(url)));
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
  return call(() => commands.listRuns(options.projectId ?? null, options.filter ?? null));
}

/** The runs side by side, each value with its difference from `baseline`'s (the first run when null). */
export function compareRuns(ids: readonly number[], baseline: number | null = null): Promise<RunComparison> {
  return call(() => commands.compareRuns([...ids], baseline));
}

/** Every point of a metric for a chart (binary, read in place); a run without the metric says why. */
export function chartData(request: ChartDataRequest): Promise<ChartData> {
  return call(async () => decodeChartData(await commands.chartData(request)));
}

/** Writes a chart to `path`: SVG or PNG (drawn by the engine, as on screen) or its data as CSV. */
export function exportChart(request: ChartExport, path: string): Promise<void> {
  return call(async () => void (await commands.exportChart(request, path)));
}

/** Writes the runs (filtered, sorted, with the chosen columns) to `path` as CSV or Parquet. */
export function exportRuns(request: RunsExport, path: string): Promise<void> {
  return call(async () => void (await commands.exportRuns(request, path)));
}

/** The sweep of the runs `request` names over one metric; rejects `not_found` naming the metrics they have. */
export function sweep(request: SweepRequest): Promise<Sweep> {
  return call(() => commands.sweep(request));
}

export function listViews(): Promise<SavedView[]> {
  return call(() => commands.listViews());
}

/** Saves (or replaces) a view; rejects with `bad_input`/`bad_filter` naming the part that would not open. */
export function saveView(name: string, spec: ViewSpec): Promise<SavedView> {
  return call(() => commands.saveView(name, spec));
}

export function deleteView(name: string): Promise<boolean> {
  return call(() => commands.deleteView(name));
}

export function listDatasets(projectId: number | null = null): Promise<Dataset[]> {
  return call(() => commands.listDatasets(projectId));
}

export function listModels(projectId: number | null = null): Promise<ModelList> {
  return call(() => commands.listModels(projectId));
}

export function listProblems(projectId: number | null = null): Promise<Problem[]> {
  return call(() => commands.listProblems(projectId));
}

/**
 * Compares two tabular files for drift. Progress comes over a channel (a
 * stream for this one call, not an app-wide event) until the report resolves.
 */
export function compareDatasets(request: DriftRequest, onProgress: (progress: DriftProgress) => void): Promise<DriftReport> {
  const channel = new Channel<DriftProgress>();
  channel.onmessage = onProgress;
  const sent: ipc.CompareRequest = {
    reference: request.reference,
    current: request.current,
    columns: request.columns ? [...request.columns] : null,
    method: request.method ?? null,
    threshold: request.threshold ?? null,
    drift_share: request.drift_share ?? null,
  };
  return call(() => commands.compareDatasets(sent, channel));
}

export function driftMethods(): Promise<DriftMethod[]> {
  return call(() => commands.driftMethods());
}

/** One column's distributions drawn by the shell: overlaid histograms or grouped category bars. */
export async function driftColumnChart(reportId: number, column: string): Promise<{ svg: string }> {
  return { svg: await call(() => commands.driftColumnChart(reportId, column)) };
}

export function exportDriftReport(reportId: number, format: 'html' | 'json', path: string): Promise<void> {
  return call(async () => void (await commands.exportDriftReport(reportId, format, path)));
}

/** A predictions file's columns, with the engine's guesses of label, prediction and sensitive columns. */
export function fairnessColumns(path: string): Promise<FairnessColumns> {
  return call(() => commands.fairnessColumns(path));
}

/** Measures a classifier's fairness across the groups of the sensitive columns. */
export function runFairness(request: FairnessRequest): Promise<FairnessReport> {
  const sent: FairnessRequest = {
    ...request,
    sensitive: [...request.sensitive],
    bootstrap: request.bootstrap ? { ...request.bootstrap } : request.bootstrap,
  };
  return call(() => commands.fairnessReport(sent));
}

/** One grouping's bars of `metric` per group, with the overall line and the parity band, drawn by the shell. */
export async function fairnessChart(reportId: number, grouping: number, metric: string): Promise<{ svg: string }> {
  return { svg: await call(() => commands.fairnessChart(reportId, grouping, metric)) };
}

export function exportFairnessReport(reportId: number, format: 'html' | 'json', path: string): Promise<void> {
  return call(async () => void (await commands.exportFairnessReport(reportId, format, path)));
}

/** Runs the model's approval checks (they read metrics and files: about a second) and returns them with its status. */
export function modelApproval(modelId: number): Promise<ModelApproval> {
  return call(() => commands.modelApproval(modelId));
}

/**
 * Approves or rejects a model. A note is required; approving a model whose
 * checks failed also needs `overrideNote` (the shell refuses with `bad_input`).
 */
export function decideModel(modelId: number, decision: Decision, note: string, overrideNote: string | null): Promise<ModelApproval> {
  return call(() => commands.decideModel(modelId, { decision, note, override_note: overrideNote }));
}

/** Queues a publish of an approved model; progress comes as `publish-progress` events (see `onPublishProgress`). */
export function publishModel(request: PublishRequest): Promise<PublishJob> {
  const { name, alias, registry } = request;
  return call(() => commands.publishModel(request.modelId, { name, alias, registry }));
}

export function publishJobs(): Promise<PublishJob[]> {
  return call(() => commands.publishJobs());
}

export function cancelPublish(jobId: number): Promise<PublishJob> {
  return call(() => commands.cancelPublish(jobId));
}

export function registryConnections(): Promise<RegistryConnection[]> {
  return call(() => commands.registryConnections());
}

/** Checks the credentials against the registry and stores the secret in the OS keyring. */
export function registryLogin(login: RegistryLogin): Promise<RegistryConnection> {
  const request: ipc.LoginRequest = {
    url: login.url,
    auth: login.auth,
    username: login.username,
    secret: login.secret,
    ca_file: login.caFile,
  };
  return call(() => commands.registryLogin(request));
}

export function registryLogout(url: string): Promise<void> {
  return call(async () => void (await commands.registryLogout(url)));
}

/** Reads the registry's models over the network into the catalog; rejects with `remote` when it cannot. null: the default registry. */
export function registryPull(registry: string | null): Promise<RemoteModel[]> {
  return call(() => commands.registryPull(registry));
}

/** The registry's models as last pulled (no network). */
export function remoteModels(registry: string | null): Promise<RemoteModel[]> {
  return call(() => commands.remoteModels(registry));
}

/** Promotes the challenger to champion, or points champion back at the version it had before (the alias names of the model's driftdeck.toml). */
export function moveAlias(registry: string | null, name: string, action: AliasMove): Promise<RemoteModel> {
  return call(() => commands.moveAlias(registry, name, action));
}

/** The audit log of one model, or of everything (null), newest first. */
export function auditLog(modelId: number | null): Promise<AuditEntry[]> {
  return call(() => commands.auditLog(modelId));
}

/** Subscribes `handler` to a shell event; resolves to a function that unsubscribes. */
async function subscribe<T>(
  event: { listen: (cb: (e: { payload: T }) => void) => Promise<() => void> },
  handler: (payload: T) => void,
): Promise<() => void> {
  try {
    const unlisten = await event.listen((e) => handler(e.payload));
    return () => void unlisten();
  } catch (err) {
    throw toAppError(err);
  }
}

export function onCatalogChanged(handler: (change: CatalogChanged) => void): Promise<() => void> {
  return subscribe(events.catalogChanged, handler);
}

export function onCatalogActivity(handler: (activity: CatalogActivity) => void): Promise<() => void> {
  return subscribe(events.catalogActivity, handler);
}

export function onCatalogWarning(handler: (warning: CatalogWarning) => void): Promise<() => void> {
  return subscribe(events.catalogWarning, handler);
}

/** Every change of a publish job (the whole job), from the shell's outbox. */
export function onPublishProgress(handler: (job: PublishJob) => void): Promise<() => void> {
  return subscribe(events.publishProgress, handler);
}

/** The native menu was used (see `MenuId`). */
export function onMenu(handler: (event: MenuEvent) => void): Promise<() => void> {
  return subscribe(events.menu, (m) => handler({ id: m.id as MenuId }));
}

/** A watched project's datasets drifted (the shell shows a desktop notification too). */
export function onDatasetDrifted(handler: (drift: DatasetDrifted) => void): Promise<() => void> {
  return subscribe(events.datasetDrifted, handler);
}
