#!/usr/bin/env python3
"""Fixtures for the fairness metrics tests (`src/fairness/*_tests.rs`).

Writes, from the drift pairs' current files and with Fairlearn 0.15.0 itself:

- rows_<size>.json (800 and 100k): the columns the tests need from
  cur_<size>.parquet (tests/data/drift, and tests/data/generated/drift for 100k), as strings of one digit per row (label, prediction:
  "0"/"1"; sensitive columns: the index of the row's value in the column's sorted list of values,
  which is the order Fairlearn's MetricFrame lists groups in). At 800 rows also the float columns
  `num_uniform_b` (a score for the score + threshold path) and `num_lognorm_b` / `num_normal_b`
  (a regression label / prediction), written with Python's repr (exact round trip).
- fairlearn_extra_<size>.json: what the reference fairlearn_<size>.json leaves out,
  computed the same way (fairlearn.metrics, y_true=label, y_pred=prediction, pos_label=1):
  * for `sex`, `age_group`, `sex_x_age_group` (and, at 800 rows, the three-way
    `sex_x_age_group_x_cat_low_a`): every scalar disparity function, equal opportunity included,
    with method='between_groups' and 'to_overall'; a MetricFrame with precision added
    (sklearn precision_score, zero_division=0, which is what its default 'warn' returns) and its
    difference() / ratio() with both methods;
  * at 800 rows only: the same with the label 0 as the positive label (MetricFrame with
    pos_label=0 passed to each metric; Fairlearn's scalar disparity functions take no pos_label);
    a score + threshold variant (y_pred = num_uniform_b >= 0.5); a regression MetricFrame
    (y_true=num_lognorm_b, y_pred=num_normal_b: count, mean_prediction, mean label,
    mean_absolute_error, with difference() / ratio() in both methods).
- fairlearn_edge_cases.json: tiny hand-made datasets that reach Fairlearn's handling of undefined
  metrics (a group with no positive labels, no negative labels, no positive predictions, one row;
  all predictions negative, all labels positive, no true positives; an empty intersection), each
  with its rows and Fairlearn's answers.
- fairlearn_<size>.json: Fairlearn's reference answers, written by scripts/testdata/run_fairlearn.py
  (read here, not rewritten).

Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" (JSON has none).
Group labels of several sensitive columns are the values joined with " | ", as in the reference
files.

Usage (from the repository root):
    python3 -m venv /tmp/fairvenv
    /tmp/fairvenv/bin/pip install fairlearn==0.15.0 scikit-learn==1.9.1 pandas==2.3.3 pyarrow
    /tmp/fairvenv/bin/python scripts/testdata/fairness_fixtures.py

Input: cur_800.parquet (tests/data/drift), cur_100k.parquet (tests/data/generated/drift, made by
scripts/test_data.sh) and <ref>/fairlearn_{800,100k}.json (default tests/data/fairness).
Output: <out> (default tests/data/fairness).
"""
import argparse
import functools
import json
import os
import shutil
import warnings

import fairlearn
import numpy as np
import pandas as pd
import sklearn
from fairlearn.metrics import (
    MetricFrame, count, demographic_parity_difference, demographic_parity_ratio,
    equal_opportunity_difference, equal_opportunity_ratio, equalized_odds_difference,
    equalized_odds_ratio, false_negative_rate, false_positive_rate, mean_prediction,
    selection_rate, true_negative_rate, true_positive_rate)
from sklearn.metrics import accuracy_score, mean_absolute_error, precision_score

from common import num

SCALARS = {
    "demographic_parity_difference": demographic_parity_difference,
    "demographic_parity_ratio": demographic_parity_ratio,
    "equalized_odds_difference": equalized_odds_difference,
    "equalized_odds_ratio": equalized_odds_ratio,
    "equal_opportunity_difference": equal_opportunity_difference,
    "equal_opportunity_ratio": equal_opportunity_ratio,
}
METHODS = ["between_groups", "to_overall"]



def classification_metrics(pos_label=1):
    p = functools.partial
    return {
        "selection_rate": p(selection_rate, pos_label=pos_label),
        "true_positive_rate": p(true_positive_rate, pos_label=pos_label),
        "false_positive_rate": p(false_positive_rate, pos_label=pos_label),
        "false_negative_rate": p(false_negative_rate, pos_label=pos_label),
        "true_negative_rate": p(true_negative_rate, pos_label=pos_label),
        "accuracy": accuracy_score,
        "precision": p(precision_score, pos_label=pos_label, zero_division=0.0),
        "count": count,
    }


def regression_metrics():
    return {
        "count": count,
        "mean_prediction": mean_prediction,
        "mean_label": lambda y_true, y_pred: float(np.mean(y_true)),
        "mae": mean_absolute_error,
    }


def group_keys(index):
    if isinstance(index, pd.MultiIndex):
        return [" | ".join(str(x) for x in k) for k in index]
    return [str(k) for k in index]


def frame_to_json(mf):
    bg = mf.by_group
    by_group = {}
    for k, (_, row) in zip(group_keys(bg.index), bg.iterrows()):
        by_group[k] = {m: num(v) for m, v in row.items()}
    out = {"overall": {m: num(v) for m, v in mf.overall.items()}, "by_group": by_group,
           "group_order": group_keys(bg.index),
           "group_min": {m: num(v) for m, v in mf.group_min().items()},
           "group_max": {m: num(v) for m, v in mf.group_max().items()}}
    for method in METHODS:
        out[f"difference_{method}"] = {m: num(v) for m, v in mf.difference(method=method).items()}
        out[f"ratio_{method}"] = {m: num(v) for m, v in mf.ratio(method=method).items()}
    return out


def scalars(y, p, sf):
    return {f"{name}_{method}": num(fn(y, p, sensitive_features=sf, method=method))
            for name, fn in SCALARS.items() for method in METHODS}


def classification(y, p, sf, pos_label=1, with_scalars=True):
    mf = MetricFrame(metrics=classification_metrics(pos_label), y_true=y, y_pred=p,
                     sensitive_features=sf)
    r = {"metric_frame": frame_to_json(mf)}
    if with_scalars:
        r["scalars"] = scalars(y, p, sf)
    return r


def digits(codes):
    return "".join(str(int(c)) for c in codes)


def encode(series):
    values = sorted(series.unique())  # np.unique's order: how MetricFrame sorts its groups
    assert len(values) <= 10, series.name
    index = {v: i for i, v in enumerate(values)}
    return {"values": [str(v) for v in values], "codes": digits(series.map(index))}


def groupings(cur, three_way):
    out = [("sex", cur["sex"]), ("age_group", cur["age_group"]),
           ("sex_x_age_group", cur[["sex", "age_group"]])]
    if three_way:
        out.append(("sex_x_age_group_x_cat_low_a", cur[["sex", "age_group", "cat_low_a"]]))
    return out


def data_fixtures(size, data, out, ref):
    small = size == "800"
    cols = ["label", "prediction", "sex", "age_group"]
    if small:
        cols += ["cat_low_a", "num_uniform_b", "num_lognorm_b", "num_normal_b"]
    cur = pd.read_parquet(os.path.join(data, f"cur_{size}.parquet"), columns=cols)
    y, p = cur["label"].to_numpy(), cur["prediction"].to_numpy()
    assert set(np.unique(y)) <= {0, 1} and set(np.unique(p)) <= {0, 1}

    rows = {"source": f"cur_{size}.parquet", "rows": len(cur), "label": digits(y),
            "prediction": digits(p),
            "sensitive": {c: encode(cur[c]) for c in ["sex", "age_group"] + (["cat_low_a"] if small else [])}}
    if small:
        for c in ["num_uniform_b", "num_lognorm_b", "num_normal_b"]:
            rows[c] = [float(v) for v in cur[c]]
    with open(os.path.join(out, f"rows_{size}.json"), "w") as f:
        json.dump(rows, f)

    extra = {"tool": "fairlearn", "versions": versions(), "dataset": f"cur_{size}.parquet",
             "results": {}}
    for name, sf in groupings(cur, small):
        extra["results"][name] = classification(y, p, sf)
        # The scalar functions must agree with the reference file where it has them.
        shared = ref["results"].get(name)
        if shared:
            for k, v in shared.items():
                if k in ("metric_frame", "derived_from_metric_frame"):
                    continue
                key = k.replace("_to_overall", "") + ("_to_overall" if k.endswith("_to_overall")
                                                     else "_between_groups")
                assert extra["results"][name]["scalars"][key] == v, (name, k)
    if small:
        extra["positive_label_0"] = {name: classification(y, p, sf, pos_label=0, with_scalars=False)
                                     for name, sf in groupings(cur, False)}
        scored = (cur["num_uniform_b"].to_numpy() >= 0.5).astype(np.int64)
        extra["score_threshold"] = {"score": "num_uniform_b", "threshold": 0.5, "results": {
            name: classification(y, scored, sf) for name, sf in groupings(cur, False)}}
        yt, yp = cur["num_lognorm_b"].to_numpy(), cur["num_normal_b"].to_numpy()
        extra["regression"] = {"label": "num_lognorm_b", "prediction": "num_normal_b", "results": {
            name: {"metric_frame": frame_to_json(MetricFrame(
                metrics=regression_metrics(), y_true=yt, y_pred=yp, sensitive_features=sf))}
            for name, sf in groupings(cur, False)}}
    with open(os.path.join(out, f"fairlearn_extra_{size}.json"), "w") as f:
        json.dump(extra, f, indent=1)


def edge_case(name, note, label, prediction, sensitive):
    """sensitive: {column: list of values}; label/prediction: lists of 0/1."""
    y, p = np.array(label), np.array(prediction)
    frame = pd.DataFrame(sensitive)
    sf = frame[frame.columns[0]] if frame.shape[1] == 1 else frame
    case = {"name": name, "note": note, "label": digits(y), "prediction": digits(p),
            "sensitive": {c: encode(frame[c]) for c in frame.columns}}
    case.update(classification(y, p, sf))
    return case


def edge_cases():
    def rep(*parts):
        out = []
        for value, n in parts:
            out += [value] * n
        return out

    cases = []
    # a: 40 rows, mixed; b: one row.
    lab = rep((1, 15), (0, 25), (1, 1))
    pre = rep((1, 10), (0, 5), (1, 5), (0, 20), (1, 1))
    cases.append(edge_case("one_row_group", "group b has a single row (label 1, prediction 1)",
                           lab, pre, {"g": rep(("a", 40), ("b", 1))}))
    # b has no positive labels: its TPR and FNR are undefined (sklearn: 0).
    lab = rep((1, 20), (0, 20), (0, 30))
    pre = rep((1, 15), (0, 5), (1, 4), (0, 16), (1, 6), (0, 24))
    cases.append(edge_case("group_without_positive_labels", "group b has only negative labels",
                           lab, pre, {"g": rep(("a", 40), ("b", 30))}))
    # b has no negative labels: its FPR and TNR are undefined.
    lab = rep((1, 20), (0, 20), (1, 30))
    pre = rep((1, 15), (0, 5), (1, 4), (0, 16), (1, 21), (0, 9))
    cases.append(edge_case("group_without_negative_labels", "group b has only positive labels",
                           lab, pre, {"g": rep(("a", 40), ("b", 30))}))
    # b has no positive predictions: its precision is undefined, selection rate 0.
    lab = rep((1, 20), (0, 20), (1, 10), (0, 20))
    pre = rep((1, 15), (0, 5), (1, 4), (0, 16), (0, 30))
    cases.append(edge_case("group_without_positive_predictions",
                           "group b is never predicted positive", lab, pre,
                           {"g": rep(("a", 40), ("b", 30))}))
    # Nobody is predicted positive: every selection rate is 0, ratios are 0/0.
    lab = rep((1, 20), (0, 20), (1, 10), (0, 20))
    pre = rep((0, 70))
    cases.append(edge_case("all_predictions_negative", "no positive predictions anywhere",
                           lab, pre, {"g": rep(("a", 40), ("b", 30))}))
    # Every label positive: FPR and TNR undefined in every group.
    lab = rep((1, 70))
    pre = rep((1, 30), (0, 10), (1, 12), (0, 18))
    cases.append(edge_case("all_labels_positive", "labels are all 1", lab, pre,
                           {"g": rep(("a", 40), ("b", 30))}))
    # Two columns whose combination (b, v) never occurs: an empty intersection.
    lab = rep((1, 10), (0, 10), (1, 5), (0, 15), (1, 12), (0, 8))
    pre = rep((1, 7), (0, 3), (1, 2), (0, 8), (1, 3), (0, 2), (1, 4), (0, 11), (1, 9), (0, 3),
              (1, 1), (0, 7))
    cases.append(edge_case("empty_intersection", "x=b, z=v never occurs", lab, pre,
                           {"x": rep(("a", 20), ("b", 20), ("a", 20)),
                            "z": rep(("u", 20), ("u", 20), ("v", 20))}))
    # No true positives anywhere but some false positives: every TPR is 0, so the TPR ratio is
    # 0/0 = NaN while the FPR ratio is a number; equalized_odds_ratio = builtin min([NaN, x]) = NaN.
    lab = rep((1, 10), (0, 30), (1, 10), (0, 20))
    pre = rep((0, 10), (1, 6), (0, 24), (0, 10), (1, 2), (0, 18))
    cases.append(edge_case("no_true_positives", "TPR 0 in every group; FPR differs",
                           lab, pre, {"g": rep(("a", 40), ("b", 30))}))
    # Three groups, one with no positive labels and one with no negative labels.
    lab = rep((1, 12), (0, 18), (0, 25), (1, 20))
    pre = rep((1, 9), (0, 3), (1, 4), (0, 14), (1, 5), (0, 20), (1, 14), (0, 6))
    cases.append(edge_case("mixed_undefined", "b: no positive labels; c: no negative labels",
                           lab, pre, {"g": rep(("a", 30), ("b", 25), ("c", 20))}))
    return cases


def versions():
    return {"fairlearn": fairlearn.__version__, "sklearn": sklearn.__version__,
            "pandas": pd.__version__, "numpy": np.__version__}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None,
                    help="folder of cur_<size>.parquet (default: tests/data/drift for 800, "
                         "tests/data/generated/drift for 100k)")
    ap.add_argument("--ref", default="tests/data/fairness")
    ap.add_argument("--out", default="tests/data/fairness")
    a = ap.parse_args()
    assert fairlearn.__version__ == "0.15.0", fairlearn.__version__
    warnings.simplefilter("ignore")  # sklearn warns on the 0/0 rates the edge cases are about
    os.makedirs(a.out, exist_ok=True)
    for size in ["800", "100k"]:
        src = os.path.join(a.ref, f"fairlearn_{size}.json")
        dst = os.path.join(a.out, f"fairlearn_{size}.json")
        if os.path.abspath(src) != os.path.abspath(dst):
            shutil.copyfile(src, dst)
        with open(src) as f:
            ref = json.load(f)
        data = a.data or os.path.join("tests", "data", *(["drift"] if size == "800" else ["generated", "drift"]))
        data_fixtures(size, data, a.out, ref)
    with open(os.path.join(a.out, "fairlearn_edge_cases.json"), "w") as f:
        json.dump({"tool": "fairlearn", "versions": versions(), "cases": edge_cases()}, f, indent=1)


if __name__ == "__main__":
    main()
