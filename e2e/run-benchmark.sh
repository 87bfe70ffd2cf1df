#!/usr/bin/env bash
# Runs an e2e benchmark main (class and arguments) against its own local cluster (port offset
# 200, state in ~/.cache/traceroll/bench-cluster), then tears the cluster down.
set -euo pipefail
cd "$(dirname "$0")/.."
export TRACEROLL_CLUSTER_DIR="$HOME/.cache/traceroll/bench-cluster" TRACEROLL_PORT_OFFSET=200
./mvnw -B -q install -DskipTests
./mvnw -B -q dependency:build-classpath -pl e2e -Dmdep.outputFile=target/bench.classpath
root=$(pwd)
trap 'bash "$root/e2e/local-cluster/down.sh"' EXIT
kubeconfig=$(bash e2e/local-cluster/up.sh | sed -n 's/^KUBECONFIG=//p' | tail -1)
cd e2e
KUBECONFIG="$kubeconfig" java -cp "target/test-classes:$(cat target/bench.classpath)" "$@"
