#!/usr/bin/env bash
# `make bench-drift` (and the second half of `make bench`): `driftdeck drift` against Evidently's
# DataDriftPreset on the same reference/current Parquet pairs, end to end, on this machine.
#
# What it does, from the repository root:
#   1. Checks that the driftdeck binary (target/release/driftdeck, or $DRIFTDECK_BIN) has a
#      `drift` subcommand; if not, it stops and says to run `make bench-drift`.
#   2. Makes a Python venv at target/bench/venv with Evidently and the versions that produced
#      tests/data/drift/evidently_*.json (PINS below; also Fairlearn for bench_fairness.sh,
#      which uses the same venv); reused while the pins are unchanged.
#   3. Has scripts/test_data.sh regenerate the pairs into target/bench/data (100k, 1m, 5m rows;
#      21 columns; scripts/testdata/gen.py, every file checked against its recorded SHA-256).
#      With BENCH_10M=1 also the 10M pair (driftdeck only).
#   4. Per size: `driftdeck drift REF CUR --format json --no-cache` 3 times (median wall time, max
#      peak RSS), once more twice against a scratch catalog (the second run with the reference cached),
#      then once with `--format html` (time and size of the page).
#   5. Per size: Evidently once (scripts/bench_evidently.py: DataDriftPreset, explicit column
#      types), timed the same way: the whole process, interpreter start and Parquet reading
#      included, so both numbers are "command in, answer out".
#   6. Prints a markdown table (times, peak memory, speedup, both tools' dataset verdicts) and
#      writes it to target/bench/drift.md with the machine, the date and the git commit.
# Times are /usr/bin/time's wall seconds (%e), memory its peak resident set (%M). The page cache is
# warm for Evidently (driftdeck read the same files just before); driftdeck's median hides a cold
# first read.
#
# How long, on the 2-core / 24 GB machine, measured while a cargo build kept both cores busy
# (first run; later runs reuse the venv and the data):
#   venv: ~80 s (download + install, 1 GB); data: 100k + 1m ~9 s, 5m ~45 s (estimated);
#   10m ~130 s and 6.3 GiB of memory, 1.5 GB of Parquet.
#   Evidently, one run: 100k ~15-19 s and 0.55 GiB (5-7 s of it is Python importing Evidently),
#   1m ~85-110 s and 2.3 GiB, 5m several minutes and ~13 GB. The 10M pair would need more than
#   25 GB in Evidently, so it is driftdeck only. Each timing file also has user and system CPU
#   seconds (the 1m Evidently run: 80 s of CPU), a check on how busy the machine was.
#
# Environment:
#   DRIFTDECK_BIN=PATH          the binary to measure (default target/release/driftdeck)
#   BENCH_SIZES="100k 1m 5m"    the sizes (any of gen.py's: 800 100k 1m 5m)
#   BENCH_RUNS=3                driftdeck runs per size (the median is reported)
#   BENCH_10M=1                 add the 10M-row pair (driftdeck only)
#   BENCH_SKIP_EVIDENTLY_5M=1   skip Evidently on 5m (several minutes, ~13 GB)
#   BENCH_SKIP_EVIDENTLY=1      skip Evidently altogether (driftdeck columns only)
#   BENCH_DRIFT_ARGS="..."      extra options for `driftdeck drift` (e.g. --kind label=categorical)
#   BENCH_PYTHON=python3        the interpreter the venv is made from (3.11 or newer)
# Outputs: target/bench/out/<size>/ (each tool's result, the HTML page, logs, timings) and
# target/bench/drift.md.
set -euo pipefail
# Paths given in the environment are relative to where the script was called from.
BIN=$(realpath -m "${DRIFTDECK_BIN:-$(dirname "$0")/../target/release/driftdeck}")
cd "$(dirname "$0")/.."
NAME=drift
# Logging, the checks, the venv, the data and the helpers are shared with the other benchmark.
# shellcheck source=scripts/bench_common.sh
. scripts/bench_common.sh

SIZES=${BENCH_SIZES:-100k 1m 5m}
RUNS=${BENCH_RUNS:-3}
read -r -a EXTRA <<<"${BENCH_DRIFT_ARGS:-}"
# The versions of tests/data/drift/evidently_100k.json, so that Evidently is the one the references
# came from; and those of tests/data/fairness/fairlearn_*.json for scripts/bench_fairness.sh, which
# shares this venv and reads this line.
PINS="evidently==0.7.23 fairlearn==0.15.0 numpy==2.4.6 pandas==2.3.3 pyarrow==26.0.1 scikit-learn==1.9.1 scipy==1.17.1"

# ---- 1. the binary
bench_binary

# ---- 2. the venv, 3. the data
bench_venv
[ "${BENCH_10M:-0}" = 1 ] && SIZES="$SIZES 10m"
bench_data

# ---- helpers
# verdict JSON: "yes|no N" from a result with dataset_drift and drifted_columns (a count or a list)
verdict() {
  "$PY" - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
try:
    drift, cols = d["dataset_drift"], d["drifted_columns"]
except KeyError as e:
    sys.exit(f"bench-drift: {sys.argv[1]} has no {e} field")
n = len(cols) if isinstance(cols, list) else int(cols)
print("yes" if drift else "no", n)
EOF
}

# Anything else running (a cargo build...) slows both tools: say so, and record it in the report.
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD%% *}" 'BEGIN { exit !(l > 0.5) }'; then
  log "the machine is busy (load average $LOAD): times will be slower than on an idle machine"
fi

declare -A DD_S DD_KIB DD_VERDICT CACHED HTML EV_S EV_KIB EV_VERDICT SHAPE
failed=0

# ---- 4. driftdeck
for s in $SIZES; do
  ref=$DATA/ref_$s.parquet cur=$DATA/cur_$s.parquet dir=$OUT/$s
  mkdir -p "$dir"
  SHAPE[$s]=$("$PY" - "$ref" "$cur" <<'EOF'
import os, sys
import pyarrow.parquet as pq
ref, cur = (pq.ParquetFile(p).metadata for p in sys.argv[1:])
mib = sum(os.path.getsize(p) for p in sys.argv[1:]) / 2**20
print(f"{ref.num_rows:,} x {ref.num_columns} | {mib:.0f}")
EOF
)
  times=() peak=0
  for i in $(seq "$RUNS"); do
    run_timed "$dir/driftdeck_json_$i.time" "$dir/driftdeck_json_$i.log" \
      "$BIN" drift "$ref" "$cur" --format json -o "$dir/driftdeck.json" --no-cache "${EXTRA[@]}" \
      || die "driftdeck drift failed on $s (run $i): see $dir/driftdeck_json_$i.log"
    record_run "$dir/driftdeck_json_$i.time" "driftdeck $s json run $i"
  done
  DD_S[$s]=$(median "${times[@]}")
  DD_KIB[$s]=$peak
  DD_VERDICT[$s]=$(verdict "$dir/driftdeck.json")
  # A known reference: the first run fills a scratch catalog's cache, the second reads only
  # the current file (timed).
  rm -rf "$dir"/cache.sqlite*
  run_timed "$dir/driftdeck_fill.time" "$dir/driftdeck_fill.log" \
    "$BIN" drift "$ref" "$cur" --format json -o "$dir/driftdeck_fill.json" --db "$dir/cache.sqlite" "${EXTRA[@]}" \
    || die "driftdeck drift (filling the cache) failed on $s: see $dir/driftdeck_fill.log"
  run_timed "$dir/driftdeck_cached.time" "$dir/driftdeck_cached.log" \
    "$BIN" drift "$ref" "$cur" --format json -o "$dir/driftdeck_cached.json" --db "$dir/cache.sqlite" "${EXTRA[@]}" \
    || die "driftdeck drift (cached reference) failed on $s: see $dir/driftdeck_cached.log"
  CACHED[$s]="$(secs "$dir/driftdeck_cached.time") s (first $(secs "$dir/driftdeck_fill.time") s)"
  rm -rf "$dir"/cache.sqlite*
  log "driftdeck $s cached reference: ${CACHED[$s]}"
  run_timed "$dir/driftdeck_html.time" "$dir/driftdeck_html.log" \
    "$BIN" drift "$ref" "$cur" --format html -o "$dir/driftdeck.html" --no-cache "${EXTRA[@]}" \
    || die "driftdeck drift --format html failed on $s: see $dir/driftdeck_html.log"
  HTML[$s]="$(numfmt --to=iec-i --suffix=B --format='%.1f' "$(stat -c %s "$dir/driftdeck.html")"), $(secs "$dir/driftdeck_html.time") s"
  log "driftdeck $s html: ${HTML[$s]}"
done

# ---- 5. Evidently
EV_VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("evidently"))')
for s in $SIZES; do
  dir=$OUT/$s
  if [ "$s" = 10m ]; then EV_S[$s]="not run (> 25 GB)"; continue; fi
  if [ "${BENCH_SKIP_EVIDENTLY:-0}" = 1 ] || { [ "$s" = 5m ] && [ "${BENCH_SKIP_EVIDENTLY_5M:-0}" = 1 ]; }; then
    EV_S[$s]="skipped"; continue
  fi
  log "evidently $s: running (one run)"
  if run_timed "$dir/evidently.time" "$dir/evidently.log" \
      "$PY" scripts/bench_evidently.py "$DATA/ref_$s.parquet" "$DATA/cur_$s.parquet" -o "$dir/evidently.json"; then
    EV_S[$s]=$(secs "$dir/evidently.time")
    EV_KIB[$s]=$(kib "$dir/evidently.time")
    EV_VERDICT[$s]=$(verdict "$dir/evidently.json")
    log "evidently $s: ${EV_S[$s]} s, $(mib "${EV_KIB[$s]}") MiB; $(tail -n 1 "$dir/evidently.log")"
  else
    EV_S[$s]="failed ($(head -n 1 "$dir/evidently.time"))"
    failed=1
    log "evidently $s failed: see $dir/evidently.log"
  fi
done

# ---- 6. the table
say() { local v; read -r -a v <<<"$1"; printf '%s, %s drifted' "${v[0]}" "${v[1]}"; }
table() {
  echo "| size | rows x cols | Parquet MiB (ref+cur) | driftdeck s (median of $RUNS) | driftdeck peak MiB | driftdeck, reference cached | driftdeck HTML | Evidently s | Evidently peak MiB | speedup | driftdeck verdict | Evidently verdict | agree |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|"
  for s in $SIZES; do
    local ev_mib="–" speedup="–" ev_verdict="–" agree="–"
    if [ -n "${EV_KIB[$s]:-}" ]; then
      ev_mib=$(mib "${EV_KIB[$s]}")
      speedup=$(awk -v e="${EV_S[$s]}" -v d="${DD_S[$s]}" 'BEGIN { printf (d > 0 ? "%.0fx" : "–"), e / (d > 0 ? d : 1) }')
      ev_verdict=$(say "${EV_VERDICT[$s]}")
      agree=$([ "${EV_VERDICT[$s]}" = "${DD_VERDICT[$s]}" ] && echo yes || echo NO)
    fi
    echo "| $s | ${SHAPE[$s]} | ${DD_S[$s]} | $(mib "${DD_KIB[$s]}") | ${CACHED[$s]} | ${HTML[$s]} | ${EV_S[$s]} | $ev_mib | $speedup | $(say "${DD_VERDICT[$s]}") | $ev_verdict | $agree |"
  done
}
TABLE=$(table)
{
  bench_header "driftdeck drift vs Evidently"
  echo "- driftdeck: \`driftdeck drift REF CUR --format json|html -o FILE${EXTRA[*]:+ ${EXTRA[*]}}\`"
  echo "- Evidently $EV_VERSION (DataDriftPreset, explicit column types), Python $("$PY" -c 'import platform; print(platform.python_version())')"
  echo "- data: scripts/testdata/gen.py (21 columns: 10 numeric, 10 categorical, 1 timestamp)"
  echo "- times: wall seconds of the whole process (/usr/bin/time %e), start-up and Parquet reading"
  echo "  included; peak MiB: its peak resident set (%M). driftdeck: median of $RUNS runs, highest peak;"
  echo "  Evidently: one run. Speedup: Evidently s / driftdeck s. Verdict: dataset drift, drifted columns."
  echo
  echo "$TABLE"
} >"$REPORT"
bench_done
exit $failed
