#!/usr/bin/env python3
"""Writes an MLflow file store with many runs, for the app benchmark (10,000-run Runs table).

    python3 scripts/make_runs.py OUT_DIR [N_RUNS]

Each run has 4 params, 3 tags and 5 metrics of 20 steps, laid out as MLflow 3's file store
writes them (mlruns/<experiment>/<run>/{meta.yaml,params,metrics,tags}). Seeded: the same
N gives the same bytes.
"""

import os
import random
import sys

EXPERIMENT = "424242424242"
START_MS = 1_790_000_000_000


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rng = random.Random(7)
    store = os.path.join(out, "mlruns")
    exp_dir = os.path.join(store, EXPERIMENT)
    write(
        os.path.join(exp_dir, "meta.yaml"),
        f"artifact_location: file://{exp_dir}\ncreation_time: {START_MS}\nexperiment_id: '{EXPERIMENT}'\n"
        f"last_update_time: {START_MS}\nlifecycle_stage: active\nname: sweep\n",
    )
    adjectives = ["quiet", "brave", "lucky", "swift", "calm", "bold", "wise", "keen"]
    animals = ["heron", "panda", "falcon", "otter", "lynx", "wolf", "crane", "hare"]
    for i in range(n):
        run_id = f"b{i:031x}"  # starts with a letter, so YAML reads it as text
        run = os.path.join(exp_dir, run_id)
        name = f"{rng.choice(adjectives)}-{rng.choice(animals)}-{i}"
        start = START_MS + i * 60_000
        write(
            os.path.join(run, "meta.yaml"),
            f"artifact_uri: file://{run}/artifacts\nend_time: {start + 45_000}\nentry_point_name: ''\n"
            f"experiment_id: '{EXPERIMENT}'\nlifecycle_stage: active\nrun_id: {run_id}\nrun_name: {name}\n"
            f"source_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: {start}\nstatus: 3\n"
            f"tags: []\nuser_id: bench\n",
        )
        params = {
            "model": rng.choice(["xgboost", "lightgbm", "logreg", "mlp"]),
            "learning_rate": f"{rng.choice([0.01, 0.03, 0.1, 0.3])}",
            "max_depth": str(rng.randint(2, 12)),
            "seed": str(i),
        }
        for key, value in params.items():
            write(os.path.join(run, "params", key), value)
        for key, value in {"mlflow.runName": name, "mlflow.user": "bench", "team": "churn"}.items():
            write(os.path.join(run, "tags", key), value)
        for metric in ["train_loss", "val_loss", "val_auc", "val_accuracy", "f1"]:
            base = rng.random()
            lines = []
            for step in range(20):
                value = base * (1 - step / 40) + rng.random() * 0.01
                lines.append(f"{start + step * 1000} {value:.6f} {step}\n")
            write(os.path.join(run, "metrics", metric), "".join(lines))
        os.makedirs(os.path.join(run, "artifacts"), exist_ok=True)
    print(f"{n} runs in {store}")


if __name__ == "__main__":
    main()
