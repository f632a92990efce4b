#!/usr/bin/env python3
"""scipy reference values for the two-sample tests of `src/drift/stats/more.rs`.

Computes, with scipy directly, the values the Rust tests in `src/drift/stats/more_tests.rs`
match to 1e-9 relative:

- for every numeric column (the NUMERIC list of scripts/testdata/ref_scipy.py; NaN and
  +-inf dropped from each sample independently):
  * Cramer-von Mises: scipy.stats.cramervonmises_2samp(ref, cur, method='auto')
  * Anderson-Darling: scipy.stats.anderson_ksamp([ref, cur], midrank=True) (statistic,
    critical values, the interpolated / capped p-value, default `method=None`)
  * scipy.stats.energy_distance(ref, cur)
  * scipy.stats.ks_2samp(ref, cur, method='auto') (statistic, p-value, branch taken)
- the same on "slices": the first R reference rows against the first C current rows of the
  numeric columns (all ten at 800 rows, four at 100k; NaN/inf dropped after slicing). At 800 rows the slices are small enough for the
  exact Cramer-von Mises p-value (both sizes <= 20) and for Anderson-Darling on tiny samples; at
  100k they pair 20,000 reference rows with a few current rows, so ks_2samp takes its asymptotic
  branch with a small effective size round(n1 n2 / (n1 + n2)) (<= 140: the Durbin matrix,
  Pomeranz and Miller branches of scipy's kstwo).
- kstwo_sf: scipy.stats.kstwo.sf(x, n) on a grid of (n, x) that reaches every branch of
  scipy.stats._ksstats._kolmogn (only in the 800 file; it does not depend on the data).
- Fisher's exact test: scipy.stats.fisher_exact(table, alternative='two-sided') on 2x2 tables
  [[ref count of v0, ref count of v1], [cur count of v0, cur count of v1]] of the binary columns
  label, prediction and sex (v0 < v1 their two values) over the first 20/40/60 rows and over the
  whole file, plus hand-picked tables (degenerate ones with a zero row or column: odds ratio NaN,
  p = 1; infinite and zero odds ratios; ties in probability; tiny p-values).

Non-finite numbers are written as the strings "NaN", "Infinity", "-Infinity" (JSON has none).

Usage (from the repository root, with a virtualenv holding scipy 1.17.1):
    python3 -m venv /tmp/scipyvenv
    /tmp/scipyvenv/bin/pip install scipy==1.17.1 numpy pandas pyarrow
    /tmp/scipyvenv/bin/python scripts/testdata/drift_ref_extra.py --size 800
    /tmp/scipyvenv/bin/python scripts/testdata/drift_ref_extra.py --size 100k

Input: <data>/{ref,cur}_<size>.parquet (default: tests/data/drift for 800, tests/data/generated/drift
for 100k, made by scripts/test_data.sh).
Output: <out>/scipy_extra_<size>.json (default out: tests/data/drift).
"""
import argparse
import json
import math
import os
import time
import warnings

import numpy as np
import pandas as pd
import scipy
from scipy import stats

from common import NUMERIC, num

BINARY = ["label", "prediction", "sex"]
FISHER_ROWS = [20, 40, 60]
# (reference rows, current rows) of the slices, per size, and the columns sliced (at 100k a
# few, to keep the Rust test fast in debug builds: ties, nulls, no drift and strong drift).
SLICE_COLUMNS = {"800": NUMERIC, "100k": ["num_normal_a", "num_uniform_b", "num_count_b", "num_nulls"]}
SLICES = {
    "800": [(8, 8), (13, 9), (20, 20), (19, 20), (5, 17), (25, 30)],
    "100k": [(20000, 3), (20000, 30), (20000, 60), (20000, 130), (20000, 400), (20000, 5000)],
}
HAND_TABLES = {
    "zero_row": [[0, 0], [3, 4]],
    "zero_column": [[0, 5], [0, 7]],
    "all_zero": [[0, 0], [0, 0]],
    "diagonal_1": [[1, 0], [0, 1]],
    "diagonal_3": [[3, 0], [0, 3]],
    "anti_diagonal_5": [[0, 5], [5, 0]],
    "zero_cell": [[0, 4], [6, 3]],
    "balanced_10": [[10, 10], [10, 10]],
    "near_balanced": [[5, 5], [5, 6]],
    "symmetric_3_7": [[3, 7], [7, 3]],
    "tea_tasting": [[3, 1], [1, 3]],
    "classic_1_9_11_3": [[1, 9], [11, 3]],
    "skewed_8_2_1_5": [[8, 2], [1, 5]],
    "skewed_2_7_8_2": [[2, 7], [8, 2]],
    "single_cell": [[7, 0], [0, 0]],
    "large_separated": [[100, 0], [0, 100]],
    "large_1000": [[1000, 2000], [1500, 1500]],
    "large_close": [[5000, 5100], [5050, 4990]],
}

DEFINITIONS = {
    "cvm": "scipy.stats.cramervonmises_2samp(ref, cur, method='auto'): exact p-value when both "
           "sizes are <= 20 (cvm_method 'exact'), else the asymptotic one.",
    "ad": "scipy.stats.anderson_ksamp([ref, cur], midrank=True) with the default method=None: "
          "statistic A2 (normalized), critical values for 25%..0.1%, p-value interpolated from "
          "them (exp of a quadratic fit of log significance) and capped at 0.25 / floored at "
          "0.001 outside the table.",
    "energy_distance": "scipy.stats.energy_distance(ref, cur).",
    "ks": "scipy.stats.ks_2samp(ref, cur, method='auto', alternative='two-sided'); ks_method is "
          "'exact' when max(n_ref, n_cur) <= 10000 else 'asymp' (kstwo.sf(D, round(n1 n2/(n1+n2)))).",
    "kstwo_sf": "scipy.stats.kstwo.sf(x, n).",
    "fisher": "scipy.stats.fisher_exact(table, alternative='two-sided'): odds ratio "
              "t00 t11 / (t10 t01) and two-sided p-value. Row/column tables of the binary "
              "columns: rows = (reference, current) slice, columns = the column's two values in "
              "sorted order.",
}



def finite(values):
    a = np.asarray(values, dtype=float)
    return a[np.isfinite(a)]


def two_sample(ra, ca):
    out = {"n_ref": int(len(ra)), "n_cur": int(len(ca))}
    cvm = stats.cramervonmises_2samp(ra, ca, method="auto")
    out["cvm_statistic"] = num(cvm.statistic)
    out["cvm_pvalue"] = num(cvm.pvalue)
    out["cvm_method"] = "exact" if max(len(ra), len(ca)) <= 20 else "asymptotic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # midrank deprecation, p-value capped / floored
        ad = stats.anderson_ksamp([ra, ca], midrank=True)
    out["ad_statistic"] = num(ad.statistic)
    out["ad_critical_values"] = [num(v) for v in ad.critical_values]
    out["ad_pvalue"] = num(ad.pvalue)
    out["energy_distance"] = num(stats.energy_distance(ra, ca))
    ks = stats.ks_2samp(ra, ca, alternative="two-sided", method="auto")
    out["ks_statistic"] = num(ks.statistic)
    out["ks_pvalue"] = num(ks.pvalue)
    out["ks_method"] = "exact" if max(len(ra), len(ca)) <= 10000 else "asymp"
    return out


def kstwo_grid():
    ns = [1, 2, 3, 5, 10, 37, 100, 140, 141, 500, 5000, 50000, 100000, 100001, 500000,
          1000000, 1000001, 3000000]
    cases = []
    for n in ns:
        xs = set()
        # Every branch boundary of _kolmogn: n x <= 1 (0.5 / n), x >= 0.5, n x^2 in
        # {0.754693, 2.2, 4, 18, 370}, n x^1.5 = 1.4, t >= n - 1.
        for t in [0.4, 0.5, 0.75, 0.99, 1.0, 1.5, 2.5]:
            xs.add(t / n)
        for nx2 in [0.01, 0.3, 0.754, 0.76, 1.0, 2.1, 2.3, 3.9, 4.1, 10.0, 17.9, 18.1, 50.0,
                    200.0, 369.0, 371.0]:
            xs.add(math.sqrt(nx2 / n))
        xs.add((1.4 / n) ** (2.0 / 3.0) * 0.99)
        xs.add((1.4 / n) ** (2.0 / 3.0) * 1.01)
        xs.update([0.3, 0.49, 0.5, 0.51, 0.75, 0.95, 1.0 - 1.0 / n, 1.0 - 0.5 / n, 1.0, 0.0])
        for x in sorted(xs):
            if 0.0 <= x <= 1.0:
                cases.append({"n": n, "x": x, "sf": num(stats.kstwo.sf(x, n))})
    return cases


def fisher_case(name, table):
    res = stats.fisher_exact(table, alternative="two-sided")
    return {"name": name, "table": [[int(v) for v in row] for row in table],
            "statistic": num(res.statistic), "pvalue": num(res.pvalue)}


def binary_table(r, c):
    values = sorted(set(r.dropna().unique()) | set(c.dropna().unique()), key=str)
    if len(values) == 1:
        values = values * 2
    rc, cc = r.value_counts(), c.value_counts()
    return [[int(rc.get(values[0], 0)), int(rc.get(values[1], 0))],
            [int(cc.get(values[0], 0)), int(cc.get(values[1], 0))]], [str(v) for v in values[:2]]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", required=True, choices=sorted(SLICES))
    ap.add_argument("--data", default=None)
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "drift"))
    a = ap.parse_args()
    if a.data is None:
        a.data = os.path.join(root, "tests", "data", *(["drift"] if a.size == "800" else ["generated", "drift"]))
    t0 = time.perf_counter()
    ref = pd.read_parquet(os.path.join(a.data, f"ref_{a.size}.parquet"))
    cur = pd.read_parquet(os.path.join(a.data, f"cur_{a.size}.parquet"))

    numeric = {col: two_sample(finite(ref[col]), finite(cur[col])) for col in NUMERIC}
    slices = []
    for rows_ref, rows_cur in SLICES[a.size]:
        for col in SLICE_COLUMNS[a.size]:
            ra = finite(ref[col].iloc[:rows_ref])
            ca = finite(cur[col].iloc[:rows_cur])
            if len(ra) < 2 or len(ca) < 2 or len(np.unique(np.concatenate([ra, ca]))) < 2:
                continue
            case = {"column": col, "ref_rows": rows_ref, "cur_rows": rows_cur}
            case.update(two_sample(ra, ca))
            slices.append(case)

    fisher = []
    for col in BINARY:
        for rows in FISHER_ROWS + [None]:
            r = ref[col] if rows is None else ref[col].iloc[:rows]
            c = cur[col] if rows is None else cur[col].iloc[:rows]
            table, values = binary_table(r, c)
            case = fisher_case(f"{col}_{'all' if rows is None else rows}", table)
            case.update({"column": col, "rows": rows, "values": values})
            fisher.append(case)
    if a.size == "800":
        fisher += [fisher_case(name, table) for name, table in HAND_TABLES.items()]

    out = {"tool": "scripts/testdata/drift_ref_extra.py (scipy direct)",
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                        "pandas": pd.__version__},
           "size": a.size, "rows_reference": len(ref), "rows_current": len(cur),
           "definitions": DEFINITIONS, "numeric": numeric, "slices": slices, "fisher": fisher}
    if a.size == "800":
        out["kstwo_sf"] = kstwo_grid()
    out["timing_s"] = time.perf_counter() - t0
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, f"scipy_extra_{a.size}.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
    print(f"wrote {path} in {out['timing_s']:.1f}s")


if __name__ == "__main__":
    main()
