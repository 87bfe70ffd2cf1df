#!/usr/bin/env bash
# `make test`: builds everything, runs unit and mock-server tests, then brings up a dedicated
# local cluster (its own state dir and ports) with its real node, runs the e2e tests against it
# (RealNodeE2eTest on real pods, the others on KWOK nodes) and tears it down. The real node is
# machine-wide: a running demo must be stopped first (make demo-down), or up.sh says so and
# fails. Set E2E_KUBECONFIG to use an existing cluster (kind, or one started with
# `make cluster-up`) instead; TRACEROLL_REAL_NODE=0 starts one without a real node and skips the
# real-pod tier (no root needed).
set -euo pipefail
cd "$(dirname "$0")/.."
here=e2e/local-cluster

# The traces tests run a real Jaeger v2, the OLM bundle test the real operator-sdk, the OLM install
# test OLM's olm and catalog operators and opm, the install tests a real helm and the cert-manager
# test a real cert-manager (built from Go modules like the cluster; cached after the first time),
# built in the background while Maven runs.
tools_log=/tmp/traceroll-tools-build.$$.log
bash "$here/build.sh" jaeger operator-sdk helm cert-manager olm opm > "$tools_log" 2>&1 &
tools_pid=$!

if [[ -n "${E2E_KUBECONFIG:-}" ]]; then
  kubeconfig="$E2E_KUBECONFIG"
else
  export TRACEROLL_CLUSTER_DIR="${TRACEROLL_TEST_CLUSTER_DIR:-$HOME/.cache/traceroll/test-cluster}"
  export TRACEROLL_PORT_OFFSET="${TRACEROLL_PORT_OFFSET:-100}"
  trap 'bash "$here/down.sh" >/dev/null 2>&1 || true' EXIT
  # Start the cluster in the background while Maven builds and runs the fast tests.
  bash "$here/up.sh" > /tmp/traceroll-test-cluster.$$.log 2>&1 &
  up_pid=$!
fi

# The corpus projects published as Go modules (e2e/corpus/PROVENANCE.md), for CorpusDecisionTest
# in the build and CorpusE2eTest after it; from the module cache after the first time.
if ! corpus_log=$(bash e2e/corpus/fetch.sh 2>&1); then
  echo "fetching the workload corpus through the Go module proxy failed (e2e/corpus/fetch.sh):" >&2
  echo "$corpus_log" >&2
  exit 1
fi
echo "[test] workload corpus in $(tail -1 <<< "$corpus_log")"

./mvnw -B install

if ! wait "$tools_pid"; then
  echo "building jaeger, operator-sdk, helm, cert-manager, olm or opm failed:" >&2
  cat "$tools_log" >&2
  exit 1
fi
rm -f "$tools_log"

if [[ -z "${E2E_KUBECONFIG:-}" ]]; then
  if ! wait "$up_pid"; then
    echo "local cluster failed to start:" >&2
    cat /tmp/traceroll-test-cluster.$$.log >&2
    exit 1
  fi
  kubeconfig=$(sed -n 's/^KUBECONFIG=//p' /tmp/traceroll-test-cluster.$$.log | tail -1)
  rm -f /tmp/traceroll-test-cluster.$$.log
fi
[[ -s "$kubeconfig" ]] || { echo "no kubeconfig at '$kubeconfig'" >&2; exit 1; }

echo "[test] e2e against $kubeconfig"
KUBECONFIG="$kubeconfig" ./mvnw -B -o surefire:test -pl e2e -DskipE2e=false
