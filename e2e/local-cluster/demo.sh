#!/usr/bin/env bash
# `make demo`: the local cluster with its real node, Traceroll installed from the Helm chart with
# an image built here, a Jaeger v2 backend, a policy, two Java services in a labelled namespace,
# a few requests, and the trace they made, read back from Jaeger. Left running for you to
# explore; `make demo-down` (this script with "down") stops it all.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=e2e/local-cluster
source "$here/versions.env"
source "$here/images/images.env"
cache="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
export TRACEROLL_CLUSTER_DIR="${TRACEROLL_CLUSTER_DIR:-$cache/cluster}"
state="$TRACEROLL_CLUSTER_DIR"
kubectl="$cache/bin/kubectl-$K8S_VERSION"
helm="$cache/bin/helm-$HELM_VERSION"
jar=operator/target/traceroll-operator.jar
started=$SECONDS

say() { printf '\n\033[1m==> %s\033[0m (%ss)\n' "$*" "$((SECONDS - started))"; }
fail() { echo "demo: $*" >&2; exit 1; }

if [[ "${1:-}" == "down" ]]; then
  bash "$here/down.sh"
  exit 0
fi
[[ $EUID == 0 ]] || fail "the demo runs a real Kubernetes node (containerd, kubelet): run it as root"

say "Building the operator (skipped when up to date)"
if [[ ! -f "$jar" ]] || [[ -n "$(find pom.xml */pom.xml crds/src policy/src webhook/src operator/src -newer "$jar" -type f | head -1)" ]]; then
  ./mvnw -B -q install -DskipTests -pl operator -am
fi

say "Starting the local cluster and its real node (the first run builds Kubernetes from Go modules: many minutes)"
bash "$here/build.sh" helm jaeger >/dev/null
kubeconfig=$(bash "$here/up.sh" | sed -n 's/^KUBECONFIG=//p' | tail -1)
export KUBECONFIG="$kubeconfig"
k() { "$kubectl" "$@"; }
node_sock="$state/node/containerd/containerd.sock"

say "Building the images (operator, Java agent, demo services, Jaeger) and importing them into the node"
bash "$here/images.sh" build operator agent shop jaeger
bash "$here/images.sh" import "$node_sock" operator agent shop jaeger

say "Installing Traceroll with Helm (two operator pods on the real node, image $OPERATOR_IMAGE)"
"$helm" upgrade --install traceroll helm/traceroll --namespace traceroll-system --create-namespace \
  --set image.repository="${OPERATOR_IMAGE%:*}" --set image.tag="${OPERATOR_IMAGE##*:}" \
  --set image.pullPolicy=Never --set-string nodeSelector.type=real \
  --set 'tolerations[0].key=traceroll.io/real-node' --set 'tolerations[0].operator=Exists' \
  --set 'tolerations[0].effect=NoSchedule' --wait --timeout 3m >/dev/null
k -n traceroll-system rollout restart deployment/traceroll-operator >/dev/null # a rebuilt image
k -n traceroll-system rollout status deployment/traceroll-operator --timeout 3m
k -n traceroll-system get pods -o wide

render() { sed -e "s|@JAEGER_IMAGE@|$JAEGER_IMAGE|g" -e "s|@SHOP_IMAGE@|$SHOP_IMAGE|g" "$1"; }
say "Starting Jaeger v2 in namespace observability and applying the policy (OTLP to Jaeger, every trace)"
render "$here/demo/jaeger.yaml" | k apply -f -
k apply -f "$here/demo/policy.yaml"
k -n observability rollout status deployment/jaeger --timeout 2m
k -n observability wait tracingpolicy/demo --for=condition=Ready --timeout 2m

say "Deploying two Java services in namespace shop (labelled traceroll.io/inject=enabled)"
render "$here/demo/shop.yaml" | k apply -f -
k -n shop rollout status deployment/backend --timeout 3m
k -n shop rollout status deployment/frontend --timeout 3m

say "Their image names no runtime, so the webhook left the first pods alone; Traceroll probes the image once (a locked-down pod on the node that holds it), finds a JVM, and restarts both with the agent"
k -n observability wait tracingpolicy/demo --for=jsonpath='{.status.rollout.instrumented}'=2 --timeout 3m >/dev/null
k -n traceroll-system get configmap traceroll-image-verdicts -o go-template='{{range .data}}{{.}}{{"\n"}}{{end}}'
k -n shop rollout status deployment/backend --timeout 3m
k -n shop rollout status deployment/frontend --timeout 3m

say "What the webhook added to the frontend pod"
k -n shop get pod -l app.kubernetes.io/name=frontend -o jsonpath='{range .items[0].spec.initContainers[*]}init container {.name}: {.image} {.command}{"\n"}{end}'
k -n shop get pod -l app.kubernetes.io/name=frontend \
  -o jsonpath='{range .items[0].spec.containers[0].env[*]}{.name}={.value}{"\n"}{end}' | grep -E '^(OTEL_|JAVA_TOOL|_JAVA_OPTIONS)' || true

say "Sending five requests to frontend's GET /checkout (it calls backend's GET /price)"
frontend=$(k -n shop get service frontend -o jsonpath='{.spec.clusterIP}')
# kube-proxy programs a new Service's endpoints shortly after the pods are ready: retry refusals.
for i in 1 2 3 4 5; do
  curl -fsS --max-time 10 --retry 20 --retry-delay 1 --retry-all-errors "http://$frontend:8080/checkout?item=book-$i"
done

say "The trace of one request, read from Jaeger's query API"
jaeger=$(k -n observability get service jaeger -o jsonpath='{.spec.clusterIP}')
for _ in $(seq 1 30); do
  traces=$(curl -fsS --max-time 5 "http://$jaeger:16686/api/traces?service=frontend&operation=GET%20/checkout&limit=1" || true)
  python3 "$here/demo/show-trace.py" <<< "$traces" && break
  sleep 2
done || fail "no trace with both services reached Jaeger in 60 s (agent logs: kubectl -n shop logs deploy/frontend)"

say "Each agent proved itself by polling the operator's sampling server (pod label traceroll.io/agent)"
k -n shop get pods -L traceroll.io/agent

say "The policy's status: workloads instrumented and agents verified (refreshed every 30 s)"
k -n observability wait tracingpolicy/demo --for=jsonpath='{.status.rollout.verifiedAgents}'=2/2 \
  --timeout 60s >/dev/null || true
k get tracingpolicies -A

cat <<MSG

Done in $((SECONDS - started))s. The cluster, Traceroll and the demo keep running.
  export KUBECONFIG=$kubeconfig
  alias kubectl=$kubectl
  kubectl get tp -A                           # policies, readiness, instrumented workloads, agents
  curl http://$frontend:8080/checkout         # one more trace
  curl "http://$jaeger:16686/api/traces?service=frontend&limit=5"   # Jaeger's query API
  (Jaeger built from its Go module serves no UI files: the API is all there is.)
Stop everything with: make demo-down
MSG
