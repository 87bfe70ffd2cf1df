#!/usr/bin/env bash
# Stops exactly the processes up.sh started (by recorded pid, checked against the binary) and
# removes the cluster's state. Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "$0")/common.sh"

pids=()
for ((i=${#COMPONENTS[@]}-1; i>=0; i--)); do
  c="${COMPONENTS[$i]}"
  if pid=$(running_pid "$c"); then
    kill "$pid" 2>/dev/null || true
    pids+=("$pid")
  fi
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -rf "$STATE"
echo "[down] stopped ${#pids[@]} process(es), removed $STATE" >&2
