#!/usr/bin/env bash
# Stops exactly the processes up.sh started (by recorded pid, checked against the binary it
# must be running), waits for them to exit and removes the cluster's state directory.
# Safe to run when nothing is up.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# The real node first, while the API server can still delete its pods.
bash "$here/node.sh" stop || echo "[down] the real node did not stop cleanly" >&2

stopped=0
# Reverse start order: KWOK and the controllers first, etcd last.
for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
  c="${COMPONENTS[$i]}"
  pid=$(running_pid "$c") || continue
  kill -TERM "$pid" 2>/dev/null || true
  # Up to 10 s for a clean shutdown, then SIGKILL, but only while the pid is still ours.
  for _ in $(seq 1 40); do
    running_pid "$c" >/dev/null || break
    sleep 0.25
  done
  if running_pid "$c" >/dev/null; then
    echo "[down] $c (pid $pid) ignored SIGTERM, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do running_pid "$c" >/dev/null || break; sleep 0.25; done
  fi
  stopped=$((stopped + 1))
done
rm -rf "$STATE"
echo "[down] stopped $stopped process(es), removed $STATE" >&2
