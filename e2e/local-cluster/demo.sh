#!/usr/bin/env bash
# `make demo`: local cluster + Traceroll operator + sample policy and Java workload, left
# running for you to explore. `make demo-down` (this script with "down") stops it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=e2e/local-cluster
source "$here/versions.env"
state="${TRACEROLL_CLUSTER_DIR:-$HOME/.cache/traceroll/cluster}"
export TRACEROLL_CLUSTER_DIR="$state"
kubectl="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}/bin/kubectl-$K8S_VERSION"
jar=operator/target/traceroll-operator.jar

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

stop_operator() {
  local pidfile="$state/operator.pid"
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 30); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$pidfile"
}

if [[ "${1:-}" == "down" ]]; then
  stop_operator
  bash "$here/down.sh"
  exit 0
fi

say "Building the operator (skipped when up to date)"
if [[ ! -f "$jar" ]] || [[ -n "$(find crds/src webhook/src operator/src -newer "$jar" -type f | head -1)" ]]; then
  ./mvnw -B -q install -DskipTests
fi

say "Starting the local cluster (first run builds Kubernetes from Go modules: several minutes)"
kubeconfig=$(bash "$here/up.sh" | sed -n 's/^KUBECONFIG=//p' | tail -1)
export KUBECONFIG="$kubeconfig"
k() { "$kubectl" "$@"; }

say "Installing the TracingPolicy CRD"
k apply --server-side --force-conflicts -f crds/tracingpolicies.traceroll.io-v1.yml
k wait --for condition=established crd/tracingpolicies.traceroll.io --timeout=60s
ensure_namespace() { k get namespace "$1" >/dev/null 2>&1 || k create namespace "$1"; }
ensure_namespace traceroll-system

say "Starting the operator (log: $state/operator.log)"
stop_operator
# The demo log is read by a person: text, unless TRACEROLL_LOG_FORMAT says otherwise.
TRACEROLL_NAMESPACE=traceroll-system TRACEROLL_WEBHOOK_BIND=127.0.0.1 TRACEROLL_WEBHOOK_URL=https://127.0.0.1:9443/mutate \
  TRACEROLL_LOG_FORMAT="${TRACEROLL_LOG_FORMAT:-text}" nohup java -jar "$jar" > "$state/operator.log" 2>&1 &
echo $! > "$state/operator.pid"
for _ in $(seq 1 60); do
  curl -fs http://127.0.0.1:8081/readyz >/dev/null 2>&1 && break
  kill -0 "$(cat "$state/operator.pid")" || { tail -50 "$state/operator.log"; exit 1; }
  sleep 1
done

say "Applying the sample policy (Tempo on a volume, sampling 10%, checkout at 100%)"
ensure_namespace observability
k apply -f examples/tracingpolicy-tempo.yaml
say "Applying a sample Java workload in namespace shop (labelled traceroll.io/inject=enabled)"
k apply -f examples/demo-app.yaml

say "Waiting for the policy to become Ready"
k wait -n observability tracingpolicy/default --for=condition=Ready --timeout=120s || true
say "Waiting for the rollout to instrument the workload (restarting it if its pods came up before the webhook)"
for _ in $(seq 1 60); do
  [[ "$(k get tracingpolicy -n observability default -o jsonpath='{.status.rollout.summary}')" == "1/1" ]] && break
  sleep 2
done
k rollout status -n shop deployment/checkout --timeout=120s || true

say "kubectl get tracingpolicies -A"
k get tracingpolicies -A
say "The Tempo objects the operator keeps"
k get statefulset,service,configmap,pvc,pod -n observability -l app.kubernetes.io/managed-by=traceroll
k get pod -n observability
say "Sampling served to agents (ConfigMap default-sampling, and the operator's live answers)"
k get configmap -n observability default-sampling -o jsonpath='{.data.strategies\.json}'; echo
k get service -n observability default-sampling
for svc in checkout search; do
  echo "GET /sampling?service=$svc (as agents of policy observability/default ask):"
  curl -fsS -H 'Host: default-sampling.observability.svc:5778' "http://127.0.0.1:5778/sampling?service=$svc"; echo
done
say "Policy status"
k get tracingpolicy -n observability default -o jsonpath='{.status}' | python3 -m json.tool
say "The sample workload's pod spec"
k get pods -n shop -o wide
k get pod -n shop -l app.kubernetes.io/name=checkout -o jsonpath='{.items[0].spec}' | python3 -m json.tool

cat <<MSG

The cluster and the operator keep running.
  export KUBECONFIG=$kubeconfig
  alias kubectl=$kubectl
  kubectl get tp -A
  tail -f $state/operator.log
Stop everything with: make demo-down
MSG
