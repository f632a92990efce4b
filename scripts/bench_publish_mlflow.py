"""The same publish with MLflow's own Python client, for scripts/bench_publish.sh: the folder's
files as a run's artifacts, registered as a model version. usage: URI MODEL_DIR"""
import sys

import mlflow

uri, model_dir = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(uri)
mlflow.set_experiment("bench-python")
with mlflow.start_run() as run:
    mlflow.log_artifacts(model_dir, "model")
version = mlflow.register_model(f"runs:/{run.info.run_id}/model", "bench-python")
print(version.version)
