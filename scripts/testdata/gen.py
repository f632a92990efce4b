#!/usr/bin/env python3
"""Deterministic synthetic reference/current datasets for drift + fairness benchmarking.

Usage:
    python gen.py [--sizes 100k 1m 5m 10m] [--out data] [--no-csv]

Writes, per size S:
    <out>/ref_<S>.parquet, <out>/cur_<S>.parquet   (pyarrow, snappy, no index)
    <out>/ref_<S>.csv,     <out>/cur_<S>.csv       (pyarrow.csv writer: header, strings quoted,
                                                    nulls = empty field, timestamps 'YYYY-MM-DD HH:MM:SS')
    <out>/manifest_<S>.json                         (schema, injected drift, seeds, sha256 of files)

Reference and current have the same number of rows (N). Every random stream comes from
numpy.random.default_rng([BASE_SEED, N, which]) with which=0 for reference and 1 for current,
so files are bit-for-bit reproducible for a given numpy/pyarrow version.
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from common import CATEGORICAL_FEATURES, LABEL, NUMERIC, PRED, SENSITIVE, TIMESTAMP

BASE_SEED = 20240601
# "10m" was added in this copy (the benchmarks' 10M-row pair); the other sizes are as written.
SIZES = {"800": 800, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000, "10m": 10_000_000}

CATEGORICAL = CATEGORICAL_FEATURES

# Human-readable description of the generating process (stored in the manifest).
SPEC = {
    "num_normal_a": {"ref": "Normal(0, 1)", "cur": "Normal(0, 1)", "drift": "none"},
    "num_normal_b": {"ref": "Normal(50, 10)", "cur": "Normal(52.5, 10)", "drift": "mean shift +0.25 sd"},
    "num_normal_c": {"ref": "Normal(0, 1)", "cur": "Normal(0, 1.5)", "drift": "variance change (sd x1.5)"},
    "num_lognorm_a": {"ref": "LogNormal(mu=0, sigma=0.75)", "cur": "LogNormal(0, 0.75)", "drift": "none"},
    "num_lognorm_b": {"ref": "LogNormal(mu=3, sigma=1)", "cur": "LogNormal(3.3, 1)", "drift": "log-mean shift +0.3"},
    "num_uniform_a": {"ref": "Uniform(0, 100)", "cur": "Uniform(0, 100)", "drift": "none"},
    "num_uniform_b": {"ref": "Uniform(0, 1)", "cur": "Uniform(0.1, 1.1)", "drift": "location shift +0.1 (new range)"},
    "num_count_a": {"ref": "Poisson(3) int64", "cur": "Poisson(3) int64", "drift": "none"},
    "num_count_b": {"ref": "Poisson(20) int64", "cur": "Poisson(23) int64", "drift": "rate shift 20->23"},
    "num_nulls": {"ref": "Normal(100, 15), 5% NaN", "cur": "Normal(100.75, 15), 5% NaN",
                  "drift": "subtle mean shift +0.05 sd (KS significant at large N, normed Wasserstein < 0.1)"},
    "cat_low_a": {"ref": "{A,B,C} p=[.5,.3,.2]", "cur": "same", "drift": "none"},
    "cat_low_b": {"ref": "{v,w,x,y,z} p=[.4,.25,.15,.12,.08]", "cur": "p=[.25,.25,.2,.15,.15]",
                  "drift": "category frequency change"},
    "cat_mid": {"ref": "50 cats m00..m49, Zipf(s=1.1) probs", "cur": "same", "drift": "none"},
    "cat_high_a": {"ref": "1000 cats h0000..h0999, Zipf(s=1.05) probs",
                   "cur": "85%: same 1000-cat Zipf; 15%: uniform over 100 NEW cats n000..n099",
                   "drift": "new categories"},
    "cat_high_b": {"ref": "500 cats k000..k499, Zipf(s=0.8) probs",
                   "cur": "same probabilities but assigned to a shuffled order of the 500 categories",
                   "drift": "category frequency change (high cardinality)"},
    "cat_nulls": {"ref": "10 cats c0..c9 uniform, 8% null", "cur": "10 cats uniform, 15% null",
                  "drift": "null-rate change only (non-null frequencies unchanged)"},
    "sex": {"ref": "{F,M} p=[.5,.5]", "cur": "p=[.52,.48]", "drift": "tiny frequency change"},
    "age_group": {"ref": "{18-29,30-44,45-59,60+} p=[.25,.30,.25,.20]", "cur": "p=[.20,.28,.27,.25]",
                  "drift": "mild frequency change"},
    "label": {"ref": "Bernoulli(sigmoid(z_true)) int64 0/1", "cur": "same process on current features",
              "drift": "indirect (via features)"},
    "prediction": {"ref": "1[z_model + noise > 0.4] int64 0/1 with group-biased offsets",
                   "cur": "same process on current features", "drift": "indirect (via features)"},
    "ts": {"ref": "uniform in [2024-01-01, 2024-04-01), second resolution, sorted",
           "cur": "uniform in [2024-04-01, 2024-05-01), sorted", "drift": "n/a (datetime)"},
}


def zipf_probs(k, s):
    w = 1.0 / np.arange(1, k + 1) ** s
    return w / w.sum()


def choice_obj(rng, labels, n, p):
    """Draw n labels with probabilities p; return numpy object array of python str."""
    codes = rng.choice(len(labels), size=n, p=p)
    return np.asarray(labels, dtype=object)[codes]


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def make(n, which):
    """which = 0 -> reference, 1 -> current."""
    cur = which == 1
    rng = np.random.default_rng([BASE_SEED, n, which])
    d = {}
    # ---- numeric
    d["num_normal_a"] = rng.normal(0.0, 1.0, n)
    d["num_normal_b"] = rng.normal(52.5 if cur else 50.0, 10.0, n)
    d["num_normal_c"] = rng.normal(0.0, 1.5 if cur else 1.0, n)
    d["num_lognorm_a"] = rng.lognormal(0.0, 0.75, n)
    d["num_lognorm_b"] = rng.lognormal(3.3 if cur else 3.0, 1.0, n)
    d["num_uniform_a"] = rng.uniform(0.0, 100.0, n)
    d["num_uniform_b"] = rng.uniform(0.1, 1.1, n) if cur else rng.uniform(0.0, 1.0, n)
    d["num_count_a"] = rng.poisson(3.0, n).astype(np.int64)
    d["num_count_b"] = rng.poisson(23.0 if cur else 20.0, n).astype(np.int64)
    x = rng.normal(100.75 if cur else 100.0, 15.0, n)
    x[rng.random(n) < 0.05] = np.nan
    d["num_nulls"] = x
    # ---- categorical
    d["cat_low_a"] = choice_obj(rng, ["A", "B", "C"], n, [0.5, 0.3, 0.2])
    d["cat_low_b"] = choice_obj(rng, ["v", "w", "x", "y", "z"], n,
                                [0.25, 0.25, 0.2, 0.15, 0.15] if cur else [0.4, 0.25, 0.15, 0.12, 0.08])
    d["cat_mid"] = choice_obj(rng, [f"m{i:02d}" for i in range(50)], n, zipf_probs(50, 1.1))
    high_a = choice_obj(rng, [f"h{i:04d}" for i in range(1000)], n, zipf_probs(1000, 1.05))
    if cur:
        newmask = rng.random(n) < 0.15
        high_a[newmask] = choice_obj(rng, [f"n{i:03d}" for i in range(100)], int(newmask.sum()),
                                     np.full(100, 0.01))
    d["cat_high_a"] = high_a
    labels_b = [f"k{i:03d}" for i in range(500)]
    if cur:
        perm = np.random.default_rng([BASE_SEED, 7]).permutation(500)  # fixed shuffle, size-independent
        labels_b = [labels_b[i] for i in perm]
    d["cat_high_b"] = choice_obj(rng, labels_b, n, zipf_probs(500, 0.8))
    cn = choice_obj(rng, [f"c{i}" for i in range(10)], n, np.full(10, 0.1))
    cn[rng.random(n) < (0.15 if cur else 0.08)] = None
    d["cat_nulls"] = cn
    # ---- sensitive attributes
    d["sex"] = choice_obj(rng, ["F", "M"], n, [0.52, 0.48] if cur else [0.5, 0.5])
    d["age_group"] = choice_obj(rng, ["18-29", "30-44", "45-59", "60+"], n,
                                [0.20, 0.28, 0.27, 0.25] if cur else [0.25, 0.30, 0.25, 0.20])
    # ---- label / prediction (fairness signal)
    is_m = d["sex"] == "M"
    is_60 = d["age_group"] == "60+"
    is_young = d["age_group"] == "18-29"
    logc = np.log(d["num_lognorm_a"])
    z_true = (-0.9 + 0.8 * d["num_normal_a"] + 0.6 * logc + 0.02 * (d["num_normal_b"] - 50.0)
              + 0.3 * is_m - 0.2 * is_60)
    d[LABEL] = (rng.random(n) < sigmoid(z_true)).astype(np.int64)
    z_model = (-0.9 + 0.75 * d["num_normal_a"] + 0.5 * logc + 0.02 * (d["num_normal_b"] - 50.0)
               + 1.2 * d[LABEL] + 0.35 * is_m - 0.45 * is_60 + 0.15 * is_young)
    d[PRED] = (z_model + rng.normal(0.0, 0.8, n) > 0.4).astype(np.int64)
    # ---- timestamp (second resolution, sorted)
    start = np.datetime64("2024-04-01T00:00:00") if cur else np.datetime64("2024-01-01T00:00:00")
    span = int((np.datetime64("2024-05-01") - np.datetime64("2024-04-01")) / np.timedelta64(1, "s")) if cur \
        else int((np.datetime64("2024-04-01") - np.datetime64("2024-01-01")) / np.timedelta64(1, "s"))
    secs = np.sort(rng.integers(0, span, n))
    d[TIMESTAMP] = (start + secs.astype("timedelta64[s]")).astype("datetime64[s]")
    cols = NUMERIC + CATEGORICAL + [LABEL, PRED] + SENSITIVE + [TIMESTAMP]
    return pd.DataFrame({c: d[c] for c in cols})


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["800", "100k"], choices=list(SIZES))
    ap.add_argument("--out", default="data")
    ap.add_argument("--no-csv", action="store_true")
    ap.add_argument("--no-hash", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for s in a.sizes:
        n = SIZES[s]
        man = {"size": s, "rows": n, "base_seed": BASE_SEED,
               "seed_scheme": "np.random.default_rng([BASE_SEED, N, 0|1]) (0=ref, 1=cur)",
               "numpy": np.__version__, "pyarrow": pa.__version__, "pandas": pd.__version__,
               "columns": {"numeric": NUMERIC, "categorical": CATEGORICAL, "label": LABEL,
                           "prediction": PRED, "sensitive": SENSITIVE, "timestamp": TIMESTAMP},
               "spec": SPEC, "files": {}}
        for which, name in [(0, "ref"), (1, "cur")]:
            t0 = time.perf_counter()
            df = make(n, which)
            tbl = pa.Table.from_pandas(df, preserve_index=False)
            pqp = os.path.join(a.out, f"{name}_{s}.parquet")
            pq.write_table(tbl, pqp, compression="snappy")
            files = [pqp]
            if not a.no_csv:
                csvp = os.path.join(a.out, f"{name}_{s}.csv")
                pacsv.write_csv(tbl, csvp)
                files.append(csvp)
            for f in files:
                man["files"][os.path.basename(f)] = {
                    "bytes": os.path.getsize(f), "sha256": None if a.no_hash else sha256(f)}
            print(f"{name}_{s}: {n} rows written in {time.perf_counter() - t0:.1f}s", flush=True)
            del df, tbl
        with open(os.path.join(a.out, f"manifest_{s}.json"), "w") as f:
            json.dump(man, f, indent=2)


if __name__ == "__main__":
    main()
