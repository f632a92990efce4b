/**
 * What each view remembers while another view is shown: the Runs view's
 * filter, sort, grouping, selection and scroll, the open dataset or model.
 * App owns one of each and hands it to its view, so switching views and back
 * (or a live reload) loses nothing.
 */
import { DEFAULT_SORT, type Grouping, type Sort } from './runs';

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
  /** The metrics charted in the panel; null until the user picks (defaults apply). */
  chartMetrics = $state<string[] | null>(null);

  openPanel(ids: number[]) {
    this.panel = ids;
    this.chartMetrics = null;
  }

  closePanel() {
    this.panel = null;
  }
}

/** A file in a project: how the Datasets and Models views remember what is open across reloads. */
export type FileRef = { project: string; path: string };

export class FileUi {
  selected = $state<FileRef | null>(null);
}

export function sameFile(a: FileRef | null, b: FileRef | null): boolean {
  return a !== null && b !== null && a.project === b.project && a.path === b.path;
}
