#!/usr/bin/env bash
# `make bench-fairness` (and the last part of `make bench`): `driftdeck fairness` against Fairlearn's
# MetricFrame and disparity functions on the same Parquet files, end to end, on this machine.
#
# What it does, from the repository root:
#   1. Checks that the driftdeck binary (target/release/driftdeck, or $DRIFTDECK_BIN) has a
#      `fairness` subcommand; if not, it stops and says to run `make bench-fairness`.
#   2. Uses the Python venv of scripts/bench_drift.sh, target/bench/venv, whose PINS (read from
#      bench_drift.sh, the one list for both) include Fairlearn and scikit-learn at the versions that
#      produced tests/data/fairness/fairlearn_*.json; makes it if missing or made with other pins.
#   3. Uses the current files of bench_drift.sh's pairs in target/bench/data (label and prediction
#      0/1, sex F/M, age_group 4 values), made by scripts/test_data.sh (scripts/testdata/gen.py,
#      checksums checked; 10m takes about 2.5 minutes).
#   4. Per size: `driftdeck fairness CUR --label label --prediction prediction --sensitive sex
#      --sensitive age_group --format json` 3 times (median wall time, max peak RSS).
#   5. Per size: Fairlearn once (scripts/bench_fairlearn.py: per grouping, sex, age_group and
#      sex x age_group, a MetricFrame with driftdeck's group metrics and the four scalar disparity
#      functions), timed the same way: the whole process, interpreter start and Parquet reading
#      included, so both numbers are "command in, answer out".
#   6. Compares the two: every between-groups disparity both report (demographic parity and
#      equalized odds, difference and ratio, for each of the 3 groupings) must agree within 1e-9
#      (driftdeck's are meant to be bit-identical); if not, the table says NO and the exit status is 1.
#   7. Prints a markdown table (times, peak memory, speedup, both tools' demographic parity
#      difference for sex x age_group, agreement) and writes it to target/bench/fairness.md with the
#      machine, the date and the git commit.
# Times are /usr/bin/time's wall seconds (%e), memory its peak resident set (%M). The page cache is
# warm for Fairlearn (driftdeck read the same file just before); driftdeck's median hides a cold
# first read.
#
# How long, on the 2-core / 24 GB machine, measured while other jobs (cargo, browser tests) kept the
# load average near 3 (later runs reuse the venv and the data):
#   venv: ~120 s (download + install, 1 GB), only when it is missing or the pins changed.
#   Fairlearn, one run: 100k ~28 s and 0.27 GiB, 1m 230-260 s and 0.7 GiB, 10m 2561 s (43 minutes)
#   and 4.9 GiB. Linear in rows: Fairlearn 0.15 hands each metric its y_true / y_pred through
#   np.stack over the group's column, which makes one NumPy array per row, so every metric call
#   (8 per group and overall, per grouping, and again in each disparity function's own MetricFrame)
#   does Python work per row; importing it all takes ~2 s, reading the Parquet ~2 s at 10m.
#   Each timing file also has user and system CPU seconds, a check on how busy the machine was.
#
# Environment:
#   DRIFTDECK_BIN=PATH          the binary to measure (default target/release/driftdeck)
#   BENCH_SIZES="1m 10m"        the sizes (gen.py's 800 100k 1m 5m, and 10m)
#   BENCH_RUNS=3                driftdeck runs per size (the median is reported)
#   BENCH_SKIP_FAIRLEARN_10M=1  skip Fairlearn on 10m (about 45 minutes)
#   BENCH_SKIP_FAIRLEARN=1      skip Fairlearn altogether (driftdeck columns only)
#   BENCH_FAIRNESS_ARGS="..."   extra options for `driftdeck fairness` (e.g. --score-threshold 0.5)
#   BENCH_PYTHON=python3        the interpreter the venv is made from (3.11 or newer)
# Outputs: target/bench/out/<size>/ (each tool's result, logs, timings: fairness_* and fairlearn*)
# and target/bench/fairness.md.
set -euo pipefail
# Paths given in the environment are relative to where the script was called from.
BIN=$(realpath -m "${DRIFTDECK_BIN:-$(dirname "$0")/../target/release/driftdeck}")
cd "$(dirname "$0")/.."
NAME=fairness
# Logging, the checks, the venv, the data and the helpers are shared with the other benchmark.
# shellcheck source=scripts/bench_common.sh
. scripts/bench_common.sh

SIZES=${BENCH_SIZES:-1m 10m}
RUNS=${BENCH_RUNS:-3}
read -r -a EXTRA <<<"${BENCH_FAIRNESS_ARGS:-}"
LABEL=label PREDICTION=prediction SENSITIVE=(sex age_group)
# One venv for both benchmarks: its pins are bench_drift.sh's PINS line, so that neither script
# remakes the venv the other one made.
PINS=$(sed -n 's/^PINS="\(.*\)"$/\1/p' scripts/bench_drift.sh)

# ---- 1. the binary
bench_binary
case $PINS in
  *fairlearn==*) ;;
  *) die "scripts/bench_drift.sh has no PINS=\"...\" line with fairlearn==VERSION in it" ;;
esac

# ---- 2. the venv, 3. the data
bench_venv
bench_data

# ---- helpers
# compare DRIFTDECK.json FAIRLEARN.json: "DD-DPD FL-DPD AGREEMENT" where DPD is the demographic
# parity difference (between groups) of the last grouping (the intersection), and AGREEMENT is
# "yes:N" when all N between-groups disparities Fairlearn computed match driftdeck's within 1e-9,
# else "NO:M/N" (M matched). Missing fields are errors (a changed JSON contract).
compare() {
  "$PY" - "$1" "$2" <<'EOF'
import json, math, sys
dd, fl = (json.load(open(p)) for p in sys.argv[1:])

def fail(msg):
    sys.exit(f"bench-fairness: {sys.argv[1]}: {msg}")

def value(grouping, name):
    for d in grouping.get("disparities", []):
        if d.get("name") == name and d.get("method") == "between_groups":
            v = d.get("value")
            if v is not None and not isinstance(v, (int, float)):
                fail(f"disparity {name} of {grouping['columns']} has a value that is not a number: {v!r}")
            return None if v is None else float(v)
    fail(f"grouping {grouping['columns']} has no disparity {name} with method between_groups")

def same(a, b):
    if a is None or b is None or math.isnan(a) or math.isnan(b):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))

if "groupings" not in dd:
    fail("no groupings field")
by_cols = {tuple(g.get("columns", [])): g for g in dd["groupings"]}
n = ok = 0
worst = []
for g in fl["groupings"]:
    ours = by_cols.get(tuple(g["columns"]))
    if ours is None:
        fail(f"no grouping with columns {g['columns']}")
    for d in g["disparities"]:
        n += 1
        a = value(ours, d["name"])
        if same(a, d["value"]):
            ok += 1
        else:
            worst.append(f"{' x '.join(g['columns'])} {d['name']}: driftdeck {a!r}, Fairlearn {d['value']!r}")
for w in worst:
    print(f"bench-fairness: disagree: {w}", file=sys.stderr)
last = fl["groupings"][-1]
fl_dpd = next(d["value"] for d in last["disparities"] if d["name"] == "demographic_parity_difference")
dd_dpd = value(by_cols[tuple(last["columns"])], "demographic_parity_difference")
fmt = lambda v: "NaN" if v is None else f"{v:.6f}"
print(fmt(dd_dpd), fmt(fl_dpd), f"yes:{n}" if ok == n else f"NO:{ok}/{n}")
EOF
}

# Anything else running (a cargo build...) slows both tools: say so, and record it in the report.
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD%% *}" 'BEGIN { exit !(l > 0.5) }'; then
  log "the machine is busy (load average $LOAD): times will be slower than on an idle machine"
fi

declare -A DD_S DD_KIB FL_S FL_KIB SHAPE CMP
failed=0
sens_args=()
for c in "${SENSITIVE[@]}"; do sens_args+=(--sensitive "$c"); done

# ---- 4. driftdeck
for s in $SIZES; do
  cur=$DATA/cur_$s.parquet dir=$OUT/$s
  [ -s "$cur" ] || die "no $cur"
  mkdir -p "$dir"
  SHAPE[$s]=$("$PY" - "$cur" "$LABEL" "$PREDICTION" "${SENSITIVE[@]}" <<'EOF'
import os, sys
import pyarrow.parquet as pq
path, *cols = sys.argv[1:]
f = pq.ParquetFile(path)
missing = [c for c in cols if c not in f.schema_arrow.names]
if missing:
    sys.exit(f"bench-fairness: {path} has no column {', '.join(missing)}")
print(f"{f.metadata.num_rows:,} | {os.path.getsize(path) / 2**20:.0f}")
EOF
)
  times=() peak=0
  for i in $(seq "$RUNS"); do
    rm -f "$dir/fairness.json"
    run_timed "$dir/fairness_json_$i.time" "$dir/fairness_json_$i.log" \
      "$BIN" fairness "$cur" --label "$LABEL" --prediction "$PREDICTION" "${sens_args[@]}" \
        --format json -o "$dir/fairness.json" "${EXTRA[@]}" \
      || die "driftdeck fairness failed on $s (run $i): see $dir/fairness_json_$i.log"
    [ -s "$dir/fairness.json" ] || die "driftdeck fairness wrote no $dir/fairness.json on $s (run $i)"
    record_run "$dir/fairness_json_$i.time" "driftdeck $s fairness run $i"
  done
  DD_S[$s]=$(median "${times[@]}")
  DD_KIB[$s]=$peak
done

# ---- 5. Fairlearn, and 6. the comparison
FL_VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("fairlearn"))')
for s in $SIZES; do
  dir=$OUT/$s
  if [ "${BENCH_SKIP_FAIRLEARN:-0}" = 1 ] || { [ "$s" = 10m ] && [ "${BENCH_SKIP_FAIRLEARN_10M:-0}" = 1 ]; }; then
    FL_S[$s]="skipped"; continue
  fi
  log "fairlearn $s: running (one run)"
  if run_timed "$dir/fairlearn.time" "$dir/fairlearn.log" \
      "$PY" scripts/bench_fairlearn.py "$DATA/cur_$s.parquet" --label "$LABEL" --prediction "$PREDICTION" \
        "${sens_args[@]}" -o "$dir/fairlearn.json"; then
    FL_S[$s]=$(secs "$dir/fairlearn.time")
    FL_KIB[$s]=$(kib "$dir/fairlearn.time")
    log "fairlearn $s: ${FL_S[$s]} s, $(mib "${FL_KIB[$s]}") MiB; $(tail -n 1 "$dir/fairlearn.log")"
    CMP[$s]=$(compare "$dir/fairness.json" "$dir/fairlearn.json") || { CMP[$s]="– – NO:error"; failed=1; }
    case ${CMP[$s]##* } in
      yes:*) ;;
      *) failed=1
         log "driftdeck and Fairlearn DISAGREE on $s: see above, $dir/fairness.json and $dir/fairlearn.json" ;;
    esac
  else
    FL_S[$s]="failed ($(head -n 1 "$dir/fairlearn.time"))"
    failed=1
    log "fairlearn $s failed: see $dir/fairlearn.log"
  fi
done

# ---- 7. the table
table() {
  echo "| size | rows | Parquet MiB | driftdeck s (median of $RUNS) | driftdeck peak MiB | Fairlearn s | Fairlearn peak MiB | speedup | driftdeck DPD | Fairlearn DPD | agree |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
  for s in $SIZES; do
    local fl_mib="–" speedup="–" dd_dpd="–" fl_dpd="–" agree="–" v
    if [ -n "${FL_KIB[$s]:-}" ]; then
      fl_mib=$(mib "${FL_KIB[$s]}")
      speedup=$(awk -v e="${FL_S[$s]}" -v d="${DD_S[$s]}" 'BEGIN { printf (d > 0 ? "%.0fx" : "–"), e / (d > 0 ? d : 1) }')
      read -r -a v <<<"${CMP[$s]}"
      dd_dpd=${v[0]} fl_dpd=${v[1]}
      case ${v[2]} in
        yes:*) agree="yes (${v[2]#yes:} of ${v[2]#yes:})" ;;
        *) agree="**NO** (${v[2]#NO:})" ;;
      esac
    fi
    echo "| $s | ${SHAPE[$s]} | ${DD_S[$s]} | $(mib "${DD_KIB[$s]}") | ${FL_S[$s]} | $fl_mib | $speedup | $dd_dpd | $fl_dpd | $agree |"
  done
}
TABLE=$(table)
{
  bench_header "driftdeck fairness vs Fairlearn"
  echo "- driftdeck: \`driftdeck fairness CUR --label $LABEL --prediction $PREDICTION$(printf ' --sensitive %s' "${SENSITIVE[@]}") --format json -o FILE${EXTRA[*]:+ ${EXTRA[*]}}\`"
  echo "- Fairlearn $FL_VERSION, scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)'), Python $("$PY" -c 'import platform; print(platform.python_version())'):"
  echo "  per grouping (${SENSITIVE[0]}, ${SENSITIVE[1]} and their intersection) a MetricFrame (count, selection rate,"
  echo "  TPR, FPR, TNR, FNR, accuracy, precision) and demographic_parity_difference/_ratio,"
  echo "  equalized_odds_difference/_ratio (scripts/bench_fairlearn.py)"
  echo "- data: the current file of scripts/testdata/gen.py's pairs ($LABEL and $PREDICTION 0/1, positive label 1)"
  echo "- times: wall seconds of the whole process (/usr/bin/time %e), start-up and Parquet reading"
  echo "  included; peak MiB: its peak resident set (%M). driftdeck: median of $RUNS runs, highest peak;"
  echo "  Fairlearn: one run. Speedup: Fairlearn s / driftdeck s."
  echo "- DPD: demographic parity difference (between groups) of ${SENSITIVE[0]} x ${SENSITIVE[1]}; agree: every"
  echo "  between-groups disparity Fairlearn computed (4 per grouping) equals driftdeck's within 1e-9."
  echo
  echo "$TABLE"
} >"$REPORT"
bench_done
exit $failed
