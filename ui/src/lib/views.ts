/** The app's views, in sidebar order, with what each will hold until it exists. */

export type ViewId = 'projects' | 'runs' | 'charts' | 'datasets' | 'compare' | 'fairness' | 'models';

/**
 * Where the main pane can be: one of the views, the Problems list (reached
 * from the foot of the sidebar and the status bar) or Settings (the foot of
 * the sidebar and the native menu); those two are not views of their own.
 */
export type PlaceId = ViewId | 'problems' | 'settings';

export type View = {
  id: ViewId;
  label: string;
  /** What the view will show; null for views that already work. */
  upcoming: { summary: string; arrivesWith: string } | null;
};

export const VIEWS: readonly View[] = [
  { id: 'projects', label: 'Projects', upcoming: null },
  { id: 'runs', label: 'Runs', upcoming: null },
  { id: 'charts', label: 'Charts', upcoming: null },
  { id: 'datasets', label: 'Datasets', upcoming: null },
  { id: 'compare', label: 'Compare', upcoming: null },
  { id: 'fairness', label: 'Fairness', upcoming: null },
  { id: 'models', label: 'Models', upcoming: null },
];

export function viewById(id: ViewId): View {
  const view = VIEWS.find((v) => v.id === id);
  if (!view) throw new Error(`unknown view ${id}`);
  return view;
}

/** A place's name, as the sidebar shows it (and error reports say where an error happened). */
export function placeLabel(id: PlaceId): string {
  if (id === 'problems') return 'Problems';
  if (id === 'settings') return 'Settings';
  return viewById(id).label;
}

/**
 * Where the app opens: the Runs view when the catalog has a project (the
 * usual next look), else Projects, whose empty state says how to start.
 */
export function startPlace(projectCount: number): PlaceId {
  return projectCount > 0 ? 'runs' : 'projects';
}
