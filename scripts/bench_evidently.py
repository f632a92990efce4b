#!/usr/bin/env python3
"""Evidently's side of `scripts/bench_drift.sh`: DataDriftPreset on one reference/current pair.

Usage (from the venv that bench_drift.sh makes, under /usr/bin/time):

    python scripts/bench_evidently.py REF.parquet CUR.parquet -o RESULT.json

The benchmark times this whole process from outside (interpreter start, imports, reading the
Parquet files with pandas, the report), so that the number compares with `driftdeck drift`'s
end-to-end time; the phase timings written here are only there to explain where the time goes.

The setup follows scripts/testdata/run_evidently.py, which produced the reference results
in tests/data/drift/evidently_*.json: column types are given explicitly (a DataDefinition
with the numeric and categorical lists of scripts/testdata/gen.py, timestamp 'ts') so the
result does not depend on Evidently's dtype inference, and the report is
`Report([DataDriftPreset()]).run(current_data=..., reference_data=...)` with the preset's
defaults (per-column test chosen by Evidently, drift share threshold 0.5).

Writes RESULT.json with the dataset verdict (dataset_drift, drifted_columns, columns,
share, threshold), the versions and the phase timings, and prints a one-line summary.
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import pandas as pd  # noqa: E402
import evidently  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata"))
from common import CATEGORICAL, NUMERIC, TIMESTAMP, write_result  # noqa: E402

IMPORT_S = time.perf_counter() - T0



def drift_summary(snapshot):
    """The dataset-level result of DataDriftPreset: its DriftedColumnsCount metric."""
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config["type"].endswith("DriftedColumnsCount"):
            count = int(metric["value"]["count"])
            share = float(metric["value"]["share"])
            threshold = float(config["drift_share"])
            return {
                # Evidently's rule: the dataset drifts when share >= drift_share.
                "dataset_drift": share >= threshold,
                "drifted_columns": count,
                "share_of_drifted_columns": share,
                "drift_share_threshold": threshold,
            }
    raise SystemExit("bench_evidently: no DriftedColumnsCount metric in the report")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reference")
    ap.add_argument("current")
    ap.add_argument("-o", "--output", required=True, help="result JSON")
    a = ap.parse_args()
    phases = {"import_s": IMPORT_S}

    t = time.perf_counter()
    ref = pd.read_parquet(a.reference)
    cur = pd.read_parquet(a.current)
    phases["read_parquet_s"] = time.perf_counter() - t

    t = time.perf_counter()
    definition = DataDefinition(numerical_columns=NUMERIC, categorical_columns=CATEGORICAL,
                                timestamp=TIMESTAMP)
    ref_ds = Dataset.from_pandas(ref, data_definition=definition)
    cur_ds = Dataset.from_pandas(cur, data_definition=definition)
    phases["dataset_from_pandas_s"] = time.perf_counter() - t

    t = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(current_data=cur_ds, reference_data=ref_ds)
    phases["report_run_s"] = time.perf_counter() - t

    result = drift_summary(snapshot)
    result["columns"] = len(NUMERIC) + len(CATEGORICAL)
    phases["total_in_process_s"] = time.perf_counter() - T0
    out = {
        "tool": "evidently",
        "versions": {"evidently": evidently.__version__, "pandas": pd.__version__},
        "reference": os.path.abspath(a.reference),
        "current": os.path.abspath(a.current),
        "rows_reference": len(ref),
        "rows_current": len(cur),
        **result,
        "phase_timings_s": phases,
    }
    write_result(a.output, out,
                 f"evidently {evidently.__version__}: dataset_drift={result['dataset_drift']} "
                 f"drifted_columns={result['drifted_columns']}/{result['columns']} "
                 f"(share {result['share_of_drifted_columns']:.2f}, "
                 f"threshold {result['drift_share_threshold']})")


if __name__ == "__main__":
    main()
