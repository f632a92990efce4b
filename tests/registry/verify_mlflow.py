"""What MLflow's own Python client sees of a published model (used by tests/registry_mlflow.rs).

usage: verify_mlflow.py TRACKING_URI NAME OUT_DIR
Prints one JSON object: every version (tags, description, run), the aliases, and the files of
the version the `champion` alias points at (or the latest), downloaded with
mlflow.artifacts.download_artifacts into OUT_DIR, with their sha256.
"""
import hashlib
import json
import os
import sys

import mlflow
from mlflow import MlflowClient

uri, name, out = sys.argv[1], sys.argv[2], sys.argv[3]
alias = sys.argv[4] if len(sys.argv) > 4 else "champion"
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)
model = client.get_registered_model(name)
versions = client.search_model_versions(f"name = '{name}'")
result = {
    "aliases": dict(model.aliases),
    "tags": dict(model.tags),
    "versions": [
        {"version": v.version, "tags": dict(v.tags), "description": v.description,
         "run_id": v.run_id, "source": v.source, "status": v.status}
        for v in sorted(versions, key=lambda v: int(v.version))
    ],
}
target = model.aliases.get(alias) or max((v.version for v in versions), key=int)
path = mlflow.artifacts.download_artifacts(f"models:/{name}/{target}", dst_path=out)
files = {}
for root, _, names in os.walk(path):
    for n in names:
        full = os.path.join(root, n)
        with open(full, "rb") as f:
            files[os.path.relpath(full, path)] = hashlib.sha256(f.read()).hexdigest()
result["downloaded"] = {"version": target, "path": path, "files": files}
run_id = next(v["run_id"] for v in result["versions"] if v["version"] == str(target))
if run_id:
    run = client.get_run(run_id)
    result["run"] = {"params": run.data.params, "metrics": run.data.metrics, "tags": run.data.tags,
                     "artifacts": sorted(a.path for a in client.list_artifacts(run_id, "driftdeck"))}
print(json.dumps(result))
