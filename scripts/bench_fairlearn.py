#!/usr/bin/env python3
"""Fairlearn's side of `scripts/bench_fairness.sh`: the group metrics and disparities of one file.

Usage (from the venv that bench_drift.sh / bench_fairness.sh make, under /usr/bin/time):

    python scripts/bench_fairlearn.py DATA.parquet --label label --prediction prediction \\
        --sensitive sex --sensitive age_group -o RESULT.json

The benchmark times this whole process from outside (interpreter start, imports, reading the
Parquet file with pandas, the metrics), so that the number compares with `driftdeck fairness`'s
end-to-end time; the phase timings written here are only there to explain where the time goes.

The work is what `driftdeck fairness DATA --label L --prediction P --sensitive A --sensitive B`
reports, done the way scripts/testdata/run_fairlearn.py made the reference values in
tests/data/fairness/fairlearn_*.json (y_true = the label column, y_pred = the prediction
column, Fairlearn's default pos_label=1, so both columns must be 0/1):

- the groupings: each sensitive column on its own and, with two or more, their intersection
  (sensitive_features = DataFrame[[A, B]]: one group per combination), as driftdeck reports them;
- per grouping, one MetricFrame with the metrics driftdeck reports per group: count,
  selection_rate, true/false positive rate, true/false negative rate, accuracy (sklearn
  accuracy_score) and precision (sklearn precision_score, zero_division=0, what its default
  'warn' returns), and its difference() / ratio() with both methods;
- per grouping, Fairlearn's scalar disparity functions demographic_parity_difference / _ratio and
  equalized_odds_difference / _ratio (method='between_groups', agg='worst_case': the defaults),
  called as a user calls them: each builds its own MetricFrame.

Only the needed columns are read (pd.read_parquet(columns=...)), as driftdeck reads only those.

Writes RESULT.json (versions, rows, per grouping the groups' metrics and the disparities, phase
timings) and prints a one-line summary with the demographic parity difference of the last
grouping (the intersection when there is one).
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
import fairlearn  # noqa: E402
from fairlearn.metrics import (  # noqa: E402
    MetricFrame, count, demographic_parity_difference, demographic_parity_ratio,
    equalized_odds_difference, equalized_odds_ratio, false_negative_rate, false_positive_rate,
    selection_rate, true_negative_rate, true_positive_rate)
from sklearn.metrics import accuracy_score, precision_score  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata"))
from common import write_result  # noqa: E402

IMPORT_S = time.perf_counter() - T0


def precision(y_true, y_pred):
    return precision_score(y_true, y_pred, zero_division=0.0)


METRICS = {
    "count": count,
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "true_negative_rate": true_negative_rate,
    "false_negative_rate": false_negative_rate,
    "accuracy": accuracy_score,
    "precision": precision,
}
SCALARS = {
    "demographic_parity_difference": demographic_parity_difference,
    "demographic_parity_ratio": demographic_parity_ratio,
    "equalized_odds_difference": equalized_odds_difference,
    "equalized_odds_ratio": equalized_odds_ratio,
}


def num(v):
    """A float for JSON; NaN and infinities as null (JSON has none)."""
    v = float(v)
    return v if math.isfinite(v) else None


def group_labels(index):
    if isinstance(index, pd.MultiIndex):
        return [" | ".join(str(x) for x in k) for k in index]
    return [str(k) for k in index]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="Parquet file")
    ap.add_argument("--label", required=True, help="the true label column (0/1)")
    ap.add_argument("--prediction", required=True, help="the predicted label column (0/1)")
    ap.add_argument("--sensitive", action="append", required=True,
                    help="a sensitive column (repeat for several)")
    ap.add_argument("-o", "--output", required=True, help="result JSON")
    a = ap.parse_args()
    phases = {"import_s": IMPORT_S}
    warnings.simplefilter("ignore")  # sklearn's warnings on 0/0 rates, should a group have them

    t = time.perf_counter()
    df = pd.read_parquet(a.data, columns=[a.label, a.prediction, *a.sensitive])
    phases["read_parquet_s"] = time.perf_counter() - t
    y, p = df[a.label].to_numpy(), df[a.prediction].to_numpy()

    groupings = [[c] for c in a.sensitive]
    if len(a.sensitive) > 1:
        groupings.append(list(a.sensitive))
    results = []
    t_all = time.perf_counter()
    for cols in groupings:
        name = "_x_".join(cols)
        sf = df[cols[0]] if len(cols) == 1 else df[cols]

        t = time.perf_counter()
        mf = MetricFrame(metrics=METRICS, y_true=y, y_pred=p, sensitive_features=sf)
        bg = mf.by_group
        frame = {
            "groups": [{"label": k, **{m: num(v) for m, v in row.items()}}
                       for k, (_, row) in zip(group_labels(bg.index), bg.iterrows())],
            "overall": {m: num(v) for m, v in mf.overall.items()},
        }
        for method in ("between_groups", "to_overall"):
            frame[f"difference_{method}"] = {m: num(v) for m, v in mf.difference(method=method).items()}
            frame[f"ratio_{method}"] = {m: num(v) for m, v in mf.ratio(method=method).items()}
        phases[f"metric_frame_{name}_s"] = time.perf_counter() - t

        t = time.perf_counter()
        disparities = [{"name": n, "method": "between_groups",
                        "value": num(fn(y, p, sensitive_features=sf, method="between_groups"))}
                       for n, fn in SCALARS.items()]
        phases[f"disparity_functions_{name}_s"] = time.perf_counter() - t
        results.append({"columns": cols, **frame, "disparities": disparities})
    phases["fairness_total_s"] = time.perf_counter() - t_all
    phases["total_in_process_s"] = time.perf_counter() - T0

    out = {
        "tool": "fairlearn",
        "versions": {"fairlearn": fairlearn.__version__, "sklearn": sklearn.__version__,
                     "pandas": pd.__version__},
        "data": os.path.abspath(a.data),
        "rows": len(df),
        "label": a.label, "prediction": a.prediction, "pos_label": 1,
        "groupings": results,
        "phase_timings_s": phases,
    }
    last = results[-1]
    dpd = next(d["value"] for d in last["disparities"] if d["name"] == "demographic_parity_difference")
    eod = next(d["value"] for d in last["disparities"] if d["name"] == "equalized_odds_difference")
    write_result(a.output, out,
                 f"fairlearn {fairlearn.__version__}: {len(df):,} rows; {' x '.join(last['columns'])}: "
                 f"{len(last['groups'])} groups, demographic_parity_difference={dpd!r} "
                 f"equalized_odds_difference={eod!r}")


if __name__ == "__main__":
    main()
