// Data the UI's tests share: what the shell answers for the catalog's models, and the request
// the Fairness form makes from its defaults. Plain values, so the browser tests (Node) and the
// unit tests (Vitest, through fixtures.d.mts) import the same ones.

export const T0 = 1767225600000; // 2026-01-01T00:00:00Z

/** The shell's app_info: a catalog in its default place, no demo installed. */
export const INFO = {
  version: '0.1.0',
  catalog_path: '/home/ana/.local/share/driftdeck/catalog.sqlite',
  schema_version: 1,
  demo_path: null,
};

/** A row of the catalog's models: the file or folder `path` of project `project`, no lineage. */
function catalogModel(id, project, path, format, fields) {
  return {
    id,
    project,
    path,
    absolute_path: `/home/ana/work/${project}/${path}`,
    format,
    name: null,
    model_id: null,
    bytes: 1234,
    hash: null,
    details: {},
    runs: [],
    datasets: [],
    ...fields,
  };
}

/** The MLflow logged model of run gbm-a in fraud-detection (model 1); `fields` replace its own. */
export function mlflowModel(fields = {}) {
  return catalogModel(1, 'fraud-detection', 'mlruns/1/r-1/artifacts/model', 'mlflow', {
    model_id: 'm-123',
    bytes: 2_048_000,
    details: { mlflow_version: '2.16.0' },
    runs: [{ id: 1, name: 'gbm-a', run_id: 'r-1' }],
    datasets: ['data/train.csv'],
    ...fields,
  });
}

/** The ONNX file churn-net in fraud-detection (model 2); `fields` replace its own. */
export function onnxModel(fields = {}) {
  return catalogModel(2, 'fraud-detection', 'models/churn.onnx', 'onnx', {
    name: 'churn-net',
    hash: 'ffee',
    details: { ir_version: 8 },
    ...fields,
  });
}

/**
 * The fairness_report request of the Fairness form's defaults for the predictions file at
 * `path` (columns label, prediction, sex, age_group); `fields` replace its own.
 */
export function fairnessRequest(path, fields = {}) {
  return {
    path,
    label: 'label',
    prediction: 'prediction',
    sensitive: ['sex', 'age_group'],
    positive_label: '1',
    score_threshold: null,
    min_group_size: 30,
    compare_with: null,
    bootstrap: null,
    max_difference: 0.1,
    min_ratio: 0.8,
    ...fields,
  };
}
