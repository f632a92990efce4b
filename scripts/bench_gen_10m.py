#!/usr/bin/env python3
"""The 10M-row reference/current pair for `scripts/bench_drift.sh` (BENCH_10M=1).

Usage:
    python scripts/bench_gen_10m.py GEN_PY --out DIR

shared/data/drift/tools/gen.py knows the sizes 800, 100k, 1m and 5m (its SIZES dict) and the
shared folder is read-only, so this wrapper imports it, adds "10m": 10_000_000 to SIZES and runs
its own main() with `--sizes 10m --out DIR --no-csv`. Everything else is gen.py's: the same
generating process and injected drift as the other sizes, its seed scheme
(default_rng([BASE_SEED, N, 0|1]), so the 10M pair is a fresh draw and not the 5M pair repeated:
no duplicated rows, realistic numbers of distinct values) and its output layout
(DIR/ref_10m.parquet, DIR/cur_10m.parquet, DIR/manifest_10m.json).

Takes about 2 minutes and 6.3 GiB of memory here; the two files are 1.5 GB together.
"""
import argparse
import importlib.util
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gen_py", help="path of shared/data/drift/tools/gen.py")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("gen", a.gen_py)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.SIZES["10m"] = 10_000_000
    sys.argv = [a.gen_py, "--sizes", "10m", "--out", a.out, "--no-csv"]
    gen.main()


if __name__ == "__main__":
    main()
