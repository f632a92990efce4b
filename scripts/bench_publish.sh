#!/usr/bin/env bash
# driftdeck publish against MLflow's own Python client: a model folder with one large file
# (default 1 GiB of random bytes) to a local MLflow 3.17 server (the test venv), timed with
# /usr/bin/time (wall seconds, peak RSS). Writes target/bench/publish.md.
#
# Usage: scripts/bench_publish.sh   (make bench-publish; SIZE_MIB=256 for a quicker run)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/target/release/driftdeck
VENV=$PWD/target/mlflow-venv
OUT=$PWD/target/bench/publish
SIZE_MIB=${SIZE_MIB:-1024}
rm -rf "$OUT" && mkdir -p "$OUT/model"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$OUT/model/weights.bin"
printf 'flavors: {}\n' > "$OUT/model/MLmodel"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$PORT" \
  --workers 1 --backend-store-uri "sqlite:///$OUT/mlflow.db" --artifacts-destination "$OUT/artifacts" \
  > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill -s TERM -- -$SERVER 2>/dev/null || true' EXIT
until curl -sf "$URL/health" > /dev/null; do sleep 0.5; done

export DRIFTDECK_DB=$OUT/catalog.sqlite DRIFTDECK_USER=bench
timed() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > /dev/null
  read -r secs kib < "$OUT/time"
  printf '| %s | %s s | %d MiB |\n' "$label" "$secs" $((kib / 1024)) | tee -a "$OUT/rows"
}
"$BIN" registry login "$URL" > /dev/null
: > "$OUT/rows"
timed "driftdeck approve (hashes the model)" "$BIN" approve "$OUT/model" --note bench
timed "driftdeck publish (upload, version, alias)" "$BIN" publish "$OUT/model" --name bench-driftdeck --alias champion --progress none
timed "driftdeck publish again (finds the version, no upload)" "$BIN" publish "$OUT/model" --name bench-driftdeck --alias champion --progress none
timed "MLflow 3.17 Python client: log_artifacts + register_model" "$VENV/bin/python" scripts/bench_publish_mlflow.py "$URL" "$OUT/model"

{
  echo "# publish: ${SIZE_MIB} MiB model to a local MLflow server ($(nproc) cores, $(date -u +%FT%TZ))"
  echo
  echo "| what | wall | peak RSS |"
  echo "|---|--:|--:|"
  cat "$OUT/rows"
} > target/bench/publish.md
cat target/bench/publish.md
