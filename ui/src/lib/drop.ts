/**
 * Where a file drop goes. The OS hands a drop to the webview with a position,
 * not to a DOM element, so the view on screen decides: Compare takes data
 * files (onto a slot, or anywhere), Fairness takes a predictions file (or,
 * onto its comparison field, an earlier one), Datasets takes a file onto a
 * dataset (to compare it with that dataset), and everywhere else a drop adds
 * folders as projects. Elements that take a drop say so with the data
 * attributes below.
 *
 * A folder can be added from ANY view: a drop with no data file in it (by
 * extension: the drop says nothing else about its paths) adds projects even
 * on Compare, Fairness or a dataset, unless it lands on a file slot or field,
 * which answers for itself (it says "not a tabular file").
 */
import type { DropPoint } from './backend';
import { isDataFile, type Slot } from './drift';
import type { FairnessSlot } from './fairness';
import { baseName } from './projects';
import type { PlaceId } from './views';

/** On an element standing for a catalog dataset: its absolute path. */
export const DROP_DATASET = 'data-drop-dataset';
/** On the Compare view's file slots: `reference` or `current`. */
export const DROP_SLOT = 'data-drop-slot';
/** On the Fairness view's file fields: `predictions` or `baseline` (the earlier file). */
export const DROP_FAIRNESS = 'data-drop-fairness';

/** What a point is over. */
export type DropTargets = { dataset: string | null; slot: Slot | null; fairness: FairnessSlot | null };

export const NO_TARGETS: DropTargets = { dataset: null, slot: null, fairness: null };

/** The part of `document` used here, so tests can hand in a stand-in. */
export type PointLookup = { elementFromPoint(x: number, y: number): Element | null };

/** The drop targets under a point (the element there or its nearest marked ancestor). */
export function dropTargetsAt(point: DropPoint, doc: PointLookup): DropTargets {
  const element = doc.elementFromPoint(point.x, point.y);
  if (!element) return NO_TARGETS;
  const dataset = element.closest(`[${DROP_DATASET}]`)?.getAttribute(DROP_DATASET) ?? null;
  const slot = element.closest(`[${DROP_SLOT}]`)?.getAttribute(DROP_SLOT) ?? null;
  const fairness = element.closest(`[${DROP_FAIRNESS}]`)?.getAttribute(DROP_FAIRNESS) ?? null;
  return {
    dataset: dataset === '' ? null : dataset,
    slot: slot === 'reference' || slot === 'current' ? slot : null,
    fairness: fairness === 'predictions' || fairness === 'baseline' ? fairness : null,
  };
}

export type DropAction =
  | { kind: 'add-projects'; paths: string[] }
  | { kind: 'compare-files'; paths: string[]; slot: Slot | null }
  /** A file for the Fairness view: the first path, into the field it landed on (else the predictions); `ignored` counts the rest. */
  | { kind: 'fairness-file'; path: string; slot: FairnessSlot; ignored: number }
  /** A file dropped on a dataset: the dataset is the reference, the (first) file the current. */
  | { kind: 'compare-with-dataset'; reference: string; current: string };

/** What a drop of `paths` on `view`, over `targets`, does; null when nothing was dropped. */
export function routeDrop(view: PlaceId | null, paths: readonly string[], targets: DropTargets): DropAction | null {
  if (paths.length === 0) return null;
  const hasDataFile = paths.some(isDataFile);
  if (view === 'compare' && (targets.slot !== null || hasDataFile)) {
    return { kind: 'compare-files', paths: [...paths], slot: targets.slot };
  }
  if (view === 'fairness' && (targets.fairness !== null || hasDataFile)) {
    return { kind: 'fairness-file', path: paths[0], slot: targets.fairness ?? 'predictions', ignored: paths.length - 1 };
  }
  if (view === 'datasets' && targets.dataset !== null && hasDataFile) {
    return { kind: 'compare-with-dataset', reference: targets.dataset, current: paths.find(isDataFile) as string };
  }
  return { kind: 'add-projects', paths: [...paths] };
}

/**
 * What the window says while something is dragged over it. `full`: a veil over
 * the whole window (nothing under it takes a drop); otherwise a hint that
 * leaves the view's drop targets visible.
 */
export function dropHint(view: PlaceId | null, targets: DropTargets): { full: boolean; message: string } {
  if (view === 'compare') {
    return {
      full: false,
      message:
        targets.slot !== null
          ? `Drop to use as the ${targets.slot} file`
          : 'Drop two files to compare them (the first is the reference), or one on a slot; a folder adds a project',
    };
  }
  if (view === 'fairness') {
    return {
      full: false,
      message:
        targets.fairness === 'baseline'
          ? 'Drop to compare with this earlier file'
          : targets.fairness === 'predictions'
            ? 'Drop a file of predictions to check its fairness'
            : 'Drop a file of predictions to check its fairness; a folder adds a project',
    };
  }
  if (view === 'datasets') {
    return {
      full: false,
      message:
        targets.dataset !== null
          ? `Drop to compare a file with ${baseName(targets.dataset)}`
          : 'Drop a file on a dataset to compare it with that dataset, or a folder to add a project',
    };
  }
  return { full: true, message: 'Drop a folder to add it as a project' };
}
