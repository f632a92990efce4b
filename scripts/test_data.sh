#!/usr/bin/env bash
# Regenerates the drift/fairness pairs too large to commit, byte for byte, and checks them.
#
#   scripts/test_data.sh                       the 100k pair the tests read, into tests/data/generated/drift
#   scripts/test_data.sh --sizes "1m 10m" --out target/bench/data    the benchmarks' pairs
#
# The generator is scripts/testdata/gen.py (numpy seeded: default_rng([BASE_SEED, N, 0|1])); with
# the numpy, pandas and pyarrow pinned below it writes the very bytes whose SHA-256 are recorded in
# tests/data/drift/manifest_100k.json (100k, written by the generator's author) and in
# scripts/testdata/checksums.sha256 (1m, 5m, 10m, recorded when this script was written). A file
# whose checksum differs is deleted and the script fails: a reference answer computed on other
# bytes would not be a reference any more.
#
# The venv (target/datagen-venv, ~60 MB) is made once and reused while the pins are unchanged.
# Files already there with the right checksum are kept (checking 100k takes a fraction of a second).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="100k"
OUT=tests/data/generated/drift
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "test_data.sh: unknown argument $1 (expected --sizes \"100k 1m\" or --out DIR)" >&2; exit 2 ;;
  esac
done

# The versions tests/data/drift/manifest_100k.json was written with.
PINS="numpy==2.4.6 pandas==2.3.3 pyarrow==26.0.1"
VENV=target/datagen-venv
PY=$VENV/bin/python
log() { printf '\033[1mtest-data:\033[0m %s\n' "$*" >&2; }

if ! [ -x "$PY" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]; then
  log "making $VENV with $PINS"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet --disable-pip-version-check $PINS
  echo "$PINS" >"$VENV/.pins"
fi

# The expected checksum of one file, from the committed records.
expected() {
  local name=$1
  if [ "$name" = ref_100k.parquet ] || [ "$name" = cur_100k.parquet ]; then
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][sys.argv[2]]["sha256"])' \
      tests/data/drift/manifest_100k.json "$name"
  else
    awk -v n="$name" '$2 == n { print $1 }' scripts/testdata/checksums.sha256
  fi
}

mkdir -p "$OUT"
for size in $SIZES; do
  ok=1
  for side in ref cur; do
    f="$OUT/${side}_$size.parquet"
    want=$(expected "${side}_$size.parquet")
    [ -n "$want" ] || { echo "test_data.sh: no recorded checksum for ${side}_$size.parquet" >&2; exit 2; }
    if ! [ -f "$f" ] || [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$want" ]; then ok=0; fi
  done
  if [ $ok = 1 ]; then
    log "$size pair in $OUT: checksums match"
    continue
  fi
  log "generating the $size pair into $OUT"
  "$PY" scripts/testdata/gen.py --sizes "$size" --out "$OUT" --no-csv >&2
  for side in ref cur; do
    f="$OUT/${side}_$size.parquet"
    got=$(sha256sum "$f" | cut -d' ' -f1)
    want=$(expected "${side}_$size.parquet")
    if [ "$got" != "$want" ]; then
      rm -f "$f"
      echo "test_data.sh: $f has SHA-256 $got, expected $want (other numpy/pyarrow than $PINS?); deleted" >&2
      exit 1
    fi
  done
  log "$size pair: checksums match"
done
