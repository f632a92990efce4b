/**
 * What each item of the native menu does in the UI. The shell sends a `menu`
 * event with the item's id (its keyboard shortcuts too); Quit, Close and the
 * Edit menu are handled natively and never arrive here.
 */
import type { PlaceId } from './views';

/** The documentation the Help menu and the About dialog open. */
export const DOCS_URL = 'https://github.com/driftdeck/driftdeck#readme';

export type MenuAction =
  | { kind: 'go'; place: PlaceId }
  /** Go to Runs and focus its filter box. */
  | { kind: 'filter' }
  | { kind: 'about' }
  | { kind: 'open-link'; url: string }
  | { kind: 'add-folder' }
  | { kind: 'open-demo' };

const PLACES: Record<string, PlaceId> = {
  settings: 'settings',
  'view-settings': 'settings',
  'view-projects': 'projects',
  'view-runs': 'runs',
  'view-datasets': 'datasets',
  'view-compare': 'compare',
  'view-fairness': 'fairness',
  'view-models': 'models',
};

/** The action for a menu id; null for an id this UI does not know (a newer shell), which is ignored. */
export function menuAction(id: string): MenuAction | null {
  if (Object.hasOwn(PLACES, id)) return { kind: 'go', place: PLACES[id] };
  switch (id) {
    case 'filter':
      return { kind: 'filter' };
    case 'about':
      return { kind: 'about' };
    case 'docs':
      return { kind: 'open-link', url: DOCS_URL };
    case 'add-folder':
      return { kind: 'add-folder' };
    case 'open-demo':
      return { kind: 'open-demo' };
    default:
      return null;
  }
}
