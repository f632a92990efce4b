/**
 * What each view remembers while another view is shown: the Runs view's
 * filter, sort, grouping, selection and scroll, the open dataset or model,
 * the Compare and Fairness views' files, options and last reports.
 * App owns one of each and hands it to its view, so switching views and back
 * (or a live reload) loses nothing.
 */
import type {
  DatasetDrifted,
  DriftMethod,
  DriftProgress,
  DriftReport,
  FairnessColumns,
  FairnessReport,
  ModelStatus,
  PublishJob,
  RegistryConnection,
  RemoteModel,
  RunList,
} from './backend';
import { alertComparison } from './drift-alerts';
import { DEFAULT_DRIFT_SHARE, DEFAULT_DRIFT_SORT, placeFiles, swapFiles, type DriftSort, type Slot } from './drift';
import {
  DEFAULT_CHART_METRIC,
  DEFAULT_MAX_DIFFERENCE,
  DEFAULT_MIN_GROUP_SIZE,
  DEFAULT_MIN_RATIO,
  DEFAULT_SCORE_THRESHOLD,
  defaultPositiveLabel,
  preselect,
  type FairnessMetric,
  type FairnessSlot,
} from './fairness';
import { mergeJob, refreshJobs, statusAfterJob, withStatus, type StatusCache } from './registry';
import {
  COLUMNS_STORAGE_KEY,
  DEFAULT_SORT,
  parseStoredColumns,
  serializeColumns,
  type ColumnId,
  type Grouping,
  type Sort,
} from './runs';
import type { ViewState } from './saved-views';
import { DEFAULT_VIEW, type ChartSize, type ChartView } from './charts';

export class RunsUi {
  projectId = $state<number | null>(null);
  /** What is typed in the filter box. */
  filterText = $state('');
  /** The filter the shown runs were asked with. */
  appliedFilter = $state('');
  sort = $state<Sort>(DEFAULT_SORT);
  grouping = $state<Grouping>('experiment');
  collapsed = $state<ReadonlySet<string>>(new Set());
  selected = $state<ReadonlySet<number>>(new Set());
  /** The run a shift-click extends the selection from. */
  anchor = $state<number | null>(null);
  scrollTop = $state(0);
  /** Runs open in the compare panel (one run: its detail); null shows the table. */
  panel = $state<number[] | null>(null);
  onlyDifferences = $state(true);
  /** The Charts view's sweep panel: open or not, its metric, its scatter's x axis, its brushes. */
  sweepOpen = $state(false);
  sweepMetric = $state<string | null>(null);
  sweepX = $state<string | null>(null);
  sweepBrushes = $state<Readonly<Record<string, { lo: number; hi: number }>>>({});
  /** The runs the sweep's brushes keep (catalog ids): the Runs table shows only these; null: no brush. */
  brushed = $state<ReadonlySet<number> | null>(null);
  /** The compare panel's baseline run; null: the first. */
  baseline = $state<number | null>(null);
  /** The metrics charted in the panel; null until the user picks (defaults apply). */
  chartMetrics = $state<string[] | null>(null);
  /** How the interactive charts (the panel's and the Charts view's) are drawn. */
  chartView = $state<ChartView>({ ...DEFAULT_VIEW });
  /** The Charts view: its metric search, the pinned metrics (first, in pin order), the order, the size. */
  chartsSearch = $state('');
  chartsPinned = $state<string[]>([]);
  chartsOrder = $state<string[]>([]);
  chartsSize = $state<ChartSize>('m');
  /** The saved view applied last (its name), for the Charts view's save box. */
  viewName = $state('');
  /** The filter box should take the focus once it is on screen (the menu's Filter, Ctrl+F). */
  focusFilter = $state(false);
  /**
   * The first list, asked for at start-up while the projects load (the app
   * opens on Runs when there are projects; this saves a round trip before
   * the first rows). Not state: taken once by the view's first load.
   */
  private prefetched: Promise<RunList> | null = null;

  /** Shows what a saved view shows: its runs (project, filter, sort, columns) and its charts. */
  applyView(name: string, state: ViewState) {
    this.projectId = state.projectId;
    this.filterText = state.filter;
    this.appliedFilter = state.filter;
    this.sort = state.sort;
    this.chartView = { ...state.chartView };
    this.chartsPinned = [...state.metrics];
    this.selected = new Set();
    this.panel = null;
    this.viewName = name;
    if (state.columns.length > 0) {
      try {
        localStorage.setItem(COLUMNS_STORAGE_KEY, serializeColumns(state.columns));
      } catch {
        // Storage unavailable: the table keeps its columns.
      }
    }
  }

  /** The key columns the table shows (remembered by the Runs view), for a view to save. */
  storedColumns(): ColumnId[] {
    try {
      return parseStoredColumns(localStorage.getItem(COLUMNS_STORAGE_KEY)) ?? [];
    } catch {
      return [];
    }
  }

  openPanel(ids: number[]) {
    this.panel = ids;
    this.chartMetrics = null;
    this.baseline = null;
  }

  closePanel() {
    this.panel = null;
  }

  /** Starts the first list early (all projects, no filter). A failure is the view's to show, when it takes it. */
  prefetch(list: Promise<RunList>) {
    list.catch(() => {}); // not taken (no project after all): no unhandled rejection
    this.prefetched = list;
  }

  /** The app did not open on Runs: a list asked for at start would be stale by the time Runs is shown. */
  dropPrefetched() {
    this.prefetched = null;
  }

  /** The prefetched list, when it answers what the view asks now (all projects, no filter); once. */
  takePrefetched(projectId: number | null, filter: string): Promise<RunList> | null {
    const list = this.prefetched;
    this.prefetched = null;
    return list !== null && projectId === null && filter === '' ? list : null;
  }

  /** Another catalog is open: its run ids and projects are not these. */
  forgetCatalog() {
    this.projectId = null;
    this.collapsed = new Set();
    this.selected = new Set();
    this.anchor = null;
    this.scrollTop = 0;
    this.panel = null;
    this.chartMetrics = null;
    this.prefetched = null;
    this.sweepBrushes = {};
    this.brushed = null;
  }
}

/** A file in a project: how the Datasets and Models views remember what is open across reloads. */
export type FileRef = { project: string; path: string };

export class FileUi {
  selected = $state<FileRef | null>(null);

  /** Another catalog is open: what was open may not be in it. */
  forgetCatalog() {
    this.selected = null;
  }
}

/**
 * The Models view: the open model, plus what the approval and publishing
 * parts keep while other views are shown. The outbox is fed by
 * `publish-progress` events from App (subscribed once, there), so it is
 * current whenever the view comes back. No secret is ever kept here: the
 * login form's password lives and dies in its component.
 */
export class ModelsUi extends FileUi {
  /** Statuses seen so far (the checks run only for the open model), for the list's badges. */
  statuses = $state.raw<StatusCache>(new Map());
  /** Every publish job, newest first; null until first loaded. */
  jobs = $state.raw<PublishJob[] | null>(null);
  connections = $state.raw<RegistryConnection[] | null>(null);
  /** The remote models of `remoteRegistry`, as last pulled; null until loaded. */
  remote = $state.raw<RemoteModel[] | null>(null);
  /** The registry whose models are shown; null: the default one. */
  remoteRegistry = $state<string | null>(null);
  outboxOpen = $state(false);
  settingsOpen = $state(false);

  noteStatus(modelId: number, status: ModelStatus) {
    this.statuses = withStatus(this.statuses, modelId, status);
  }

  /** A job from `publish_jobs` or `publish-progress`: lands in the outbox; a finished one makes its model published. */
  applyJob(job: PublishJob) {
    this.jobs = mergeJob(this.jobs ?? [], job);
    this.statuses = statusAfterJob(this.statuses, job);
  }

  /** A fresh list from the shell (see `refreshJobs`). */
  setJobs(jobs: PublishJob[]) {
    this.jobs = refreshJobs(jobs, this.jobs ?? []);
  }

  /** Another catalog is open: statuses, outbox and registries are the other catalog's. */
  override forgetCatalog() {
    super.forgetCatalog();
    this.statuses = new Map();
    this.jobs = null;
    this.connections = null;
    this.remote = null;
    this.remoteRegistry = null;
  }
}

export function sameFile(a: FileRef | null, b: FileRef | null): boolean {
  return a !== null && b !== null && a.project === b.project && a.path === b.path;
}

/**
 * The Compare view: the two files, the options, the comparison under way and
 * the last report. A comparison started here finishes into it even when the
 * view is left meanwhile.
 */
export class CompareUi {
  reference = $state<string | null>(null);
  current = $state<string | null>(null);
  /** Files beyond two in the last drop or pick (not used). */
  ignored = $state(0);
  columnsText = $state('');
  /** A method name; '' chooses per column. */
  method = $state('');
  thresholdText = $state('');
  driftShareText = $state(String(DEFAULT_DRIFT_SHARE));
  /** The engine's methods, once asked. */
  methods = $state.raw<DriftMethod[] | null>(null);
  running = $state(false);
  progress = $state.raw<DriftProgress | null>(null);
  report = $state.raw<DriftReport | null>(null);
  sort = $state<DriftSort>(DEFAULT_DRIFT_SORT);
  /** The column whose details are open. */
  openColumn = $state<string | null>(null);
  /** Where the last export was written. */
  exported = $state<string | null>(null);
  /** A comparison should start as soon as the view is on screen and free (a drift alert's Compare). */
  runRequested = $state(false);

  /**
   * The files of a drift alert, compared as the watcher compared them: its
   * project's drift share, every column, each column's default test.
   */
  compareAlert(drift: DatasetDrifted) {
    const chosen = alertComparison(drift);
    this.reference = chosen.reference;
    this.current = chosen.current;
    this.driftShareText = chosen.driftShareText;
    this.ignored = 0;
    this.columnsText = '';
    this.method = '';
    this.thresholdText = '';
    this.runRequested = true;
  }

  /** Puts dropped or picked files in place (see `placeFiles`). */
  place(paths: readonly string[], slot: Slot | null = null) {
    const placed = placeFiles({ reference: this.reference, current: this.current }, paths, slot);
    this.reference = placed.pair.reference;
    this.current = placed.pair.current;
    this.ignored = placed.ignored;
  }

  swap() {
    const swapped = swapFiles({ reference: this.reference, current: this.current });
    this.reference = swapped.reference;
    this.current = swapped.current;
  }
}

/**
 * The Fairness view: the predictions file and its columns, the form, the
 * check under way and the last report. A check started here finishes into it
 * even when the view is left meanwhile.
 */
export class FairnessUi {
  path = $state<string | null>(null);
  /** Files beyond the first in the last drop (not used). */
  ignored = $state(0);
  /** The path whose columns were last asked for (loaded, loading or failed): asked once per path. */
  columnsAsked = $state<string | null>(null);
  /** The columns of `path`, once read. */
  columns = $state.raw<FairnessColumns | null>(null);
  /** Whether the columns of `path` are being read. */
  columnsLoading = $state(false);
  label = $state('');
  prediction = $state('');
  positiveLabel = $state('');
  thresholdText = $state(String(DEFAULT_SCORE_THRESHOLD));
  sensitive = $state.raw<string[]>([]);
  minGroupSizeText = $state(String(DEFAULT_MIN_GROUP_SIZE));
  compareWith = $state('');
  bootstrap = $state(false);
  seedText = $state('0');
  maxDifferenceText = $state(String(DEFAULT_MAX_DIFFERENCE));
  minRatioText = $state(String(DEFAULT_MIN_RATIO));
  running = $state(false);
  report = $state.raw<FairnessReport | null>(null);
  /** What the charts show. */
  metric = $state<FairnessMetric>(DEFAULT_CHART_METRIC);
  /** Where the last export was written. */
  exported = $state<string | null>(null);

  /** A dropped, picked, chosen or typed file: the predictions (their columns are read anew) or the earlier file. */
  place(path: string, slot: FairnessSlot = 'predictions', ignored = 0) {
    this.ignored = ignored;
    if (slot === 'baseline') {
      this.compareWith = path;
      return;
    }
    if (path === this.path) return;
    this.path = path;
    this.columns = null;
  }

  clear() {
    this.path = null;
    this.columns = null;
    this.columnsAsked = null;
    this.columnsLoading = false;
  }

  /** The columns of the file arrived: the form takes the engine's guesses. */
  useColumns(columns: FairnessColumns) {
    const choice = preselect(columns);
    this.columns = columns;
    this.label = choice.label;
    this.prediction = choice.prediction;
    this.positiveLabel = choice.positiveLabel;
    this.sensitive = choice.sensitive;
  }

  /** Another label: its positive value is chosen again. */
  chooseLabel(label: string) {
    this.label = label;
    this.positiveLabel = defaultPositiveLabel(this.columns, label);
  }
}
