/** The app's views, in sidebar order, with what each will hold until it exists. */

export type ViewId = 'projects' | 'runs' | 'datasets' | 'compare' | 'fairness' | 'models';

/**
 * Where the main pane can be: one of the views, or the Problems list (reached
 * from the foot of the sidebar and the status bar, not a view of its own).
 */
export type PlaceId = ViewId | 'problems';

export type View = {
  id: ViewId;
  label: string;
  /** What the view will show; null for views that already work. */
  upcoming: { summary: string; arrivesWith: string } | null;
};

export const VIEWS: readonly View[] = [
  { id: 'projects', label: 'Projects', upcoming: null },
  { id: 'runs', label: 'Runs', upcoming: null },
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
