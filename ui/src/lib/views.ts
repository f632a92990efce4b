/** The app's views, in sidebar order, with what each will hold until it exists. */

export type ViewId = 'projects' | 'runs' | 'datasets' | 'compare' | 'fairness' | 'models';

export type View = {
  id: ViewId;
  label: string;
  /** What the view will show; null for views that already work. */
  upcoming: { summary: string; arrivesWith: string } | null;
};

export const VIEWS: readonly View[] = [
  { id: 'projects', label: 'Projects', upcoming: null },
  {
    id: 'runs',
    label: 'Runs',
    upcoming: {
      summary:
        'Every experiment run found in your project folders (MLflow, DVC, TensorBoard, W&B offline and plain run folders) with its parameters and metrics, to filter, sort and chart.',
      arrivesWith: 'indexing',
    },
  },
  {
    id: 'datasets',
    label: 'Datasets',
    upcoming: {
      summary:
        'The tabular files in your projects, with their size, columns and content hash, and the runs that used them.',
      arrivesWith: 'indexing',
    },
  },
  {
    id: 'compare',
    label: 'Compare',
    upcoming: {
      summary:
        'Pick a reference and a current dataset to see, column by column, whether the data has drifted, which test decided it and by how much.',
      arrivesWith: 'drift checks',
    },
  },
  {
    id: 'fairness',
    label: 'Fairness',
    upcoming: {
      summary:
        "Choose a file of predictions and its label, prediction and sensitive columns to see each group's rates and the disparities between groups.",
      arrivesWith: 'fairness checks',
    },
  },
  {
    id: 'models',
    label: 'Models',
    upcoming: {
      summary:
        "The model files found in your projects, the checks each one passes, its approval, and publishing it to your team's MLflow Model Registry.",
      arrivesWith: 'publishing',
    },
  },
];

export function viewById(id: ViewId): View {
  const view = VIEWS.find((v) => v.id === id);
  if (!view) throw new Error(`unknown view ${id}`);
  return view;
}
