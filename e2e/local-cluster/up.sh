#!/usr/bin/env bash
# Starts a local Kubernetes control plane built from Go modules: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and KWOK with three fake nodes, plus one real node
# (node.sh: kubelet, containerd, kube-proxy, CoreDNS) unless TRACEROLL_REAL_NODE=0.
# Prints KUBECONFIG=<path> last. Running it again while the cluster is healthy only prints that.
set -euo pipefail
source "$(dirname "$0")/common.sh"

log() { echo "[up] $*" >&2; }
fail() { # message [component whose log to show]
  log "$1"
  if [[ -n "${2:-}" && -f "$STATE/logs/$2.log" ]]; then
    log "last lines of $STATE/logs/$2.log:"
    tail -40 "$STATE/logs/$2.log" >&2
  fi
  if [[ -d "$STATE/pids" ]]; then
    log "processes already started keep running until down.sh (or the next up.sh) stops them"
  fi
  exit 1
}
kubectl() { "$(binary kubectl)" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

healthy() {
  for c in "${COMPONENTS[@]}"; do running_pid "$c" >/dev/null || return 1; done
  if [[ $REAL_NODE == 1 ]]; then
    kill -0 "$(cat "$STATE/node/pids/kubelet.pid" 2>/dev/null)" 2>/dev/null || return 1
  fi
  curl -fsk --max-time 2 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" \
    --key "$STATE/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz" >/dev/null
}

if healthy 2>/dev/null; then
  log "cluster in $STATE already up"
  echo "KUBECONFIG=$KUBECONFIG_FILE"
  exit 0
fi
if [[ -d "$STATE" ]]; then
  log "cleaning up a stale cluster in $STATE"
  bash "$here/down.sh" >&2
fi

missing=()
for c in "${COMPONENTS[@]}" kubectl; do [[ -x "$(binary "$c")" ]] || missing+=("$c"); done
if ((${#missing[@]})); then
  log "building ${missing[*]} (cached under $BIN afterwards)"
  targets=()
  for c in "${missing[@]}"; do
    case "$c" in etcd|kwok) targets+=("$c") ;; *) targets+=(kubernetes) ;; esac
  done
  bash "$here/build.sh" $(printf '%s\n' "${targets[@]}" | sort -u) >&2
fi
if ! command -v openssl >/dev/null; then
  # Debian/Ubuntu CI images may lack it; installing needs root.
  log "openssl missing, installing it with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl; } >&2 ||
    fail "openssl is required and could not be installed (apt-get install -y openssl)"
fi

# Refuse to start when a port is taken: a foreign etcd on our client port would otherwise
# answer the health check and our kube-apiserver would write into another cluster's data.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$ETCD_PORT" "$ETCD_PEER_PORT" "$API_PORT" "$KCM_PORT" "$SCHEDULER_PORT"; do
  if port_busy "$p"; then
    fail "port 127.0.0.1:$p is already in use (set TRACEROLL_PORT_OFFSET or TRACEROLL_*_PORT)"
  fi
done

# With a real node, pods reach the API server through Service kubernetes, whose endpoint is the
# node's address: the API server listens on all addresses and advertises that one.
bind=127.0.0.1 advertise=127.0.0.1 reconciler=none san_node=""
if [[ $REAL_NODE == 1 ]]; then
  advertise=$(node_ip)
  [[ -n "$advertise" ]] || fail "no global IPv4 address for the real node (TRACEROLL_REAL_NODE=0 for KWOK only)"
  bind=0.0.0.0 reconciler=lease san_node=",IP:$advertise"
fi

mkdir -p "$STATE"/{pki,logs,pids,etcd}
pki="$STATE/pki"
chmod 700 "$pki"

# --- certificates -----------------------------------------------------------------------
# CA; apiserver serving cert; admin client cert in system:masters, which the
# controller-manager, scheduler and KWOK reuse; service-account signing key pair.
ossl() { openssl "$@" >> "$STATE/logs/openssl.log" 2>&1 || fail "openssl $1 failed" openssl; }
ossl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=traceroll-local-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt"
cat > "$pki/apiserver.ext" <<EXT
subjectAltName=IP:127.0.0.1,IP:10.0.0.1$san_node,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EXT
ossl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
  -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr"
ossl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
  -CAcreateserial -days 365 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt"
printf 'extendedKeyUsage=clientAuth\n' > "$pki/client.ext"
ossl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=traceroll-admin" \
  -keyout "$pki/admin.key" -out "$pki/admin.csr"
ossl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
  -CAcreateserial -days 365 -extfile "$pki/client.ext" -out "$pki/admin.crt"
ossl genrsa -out "$pki/sa.key" 2048
ossl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"

cat > "$KUBECONFIG_FILE" <<KC
apiVersion: v1
kind: Config
clusters:
- name: traceroll-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $pki/ca.crt
users:
- name: traceroll-admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: traceroll-local
  context: {cluster: traceroll-local, user: traceroll-admin}
current-context: traceroll-local
KC

# --- processes --------------------------------------------------------------------------
start() { # name args...
  local name="$1"; shift
  setsid "$(binary "$name")" "$@" > "$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/pids/$name.pid"
}

# Alive means the pid just started is alive: running_pid also wants argv[0] to be our binary,
# which a child that has forked but not exec'd yet fails (a loaded machine made etcd look dead
# while it was starting normally).
wait_for() { # description seconds component command...
  local what="$1" seconds="$2" component="$3"; shift 3
  local pid; pid=$(cat "$STATE/pids/$component.pid")
  for _ in $(seq 1 $((seconds * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "$component exited while waiting for $what" "$component"
    sleep 0.25
  done
  fail "timed out waiting for $what" "$component"
}

# Requests made as a ServiceAccount (an operator run with the token of the account an install
# path creates; the controllers, scheduler and KWOK use the admin certificate) go to
# logs/audit.log, so e2e tests can compare what the operator called with what its RBAC grants.
cat > "$STATE/audit-policy.yaml" <<'AUDIT'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
AUDIT

started=$(date +%s)
start etcd --name traceroll --data-dir "$STATE/etcd" --unsafe-no-fsync \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "traceroll=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls ""
wait_for "etcd" 30 etcd curl -fs "http://127.0.0.1:$ETCD_PORT/health"

# Without a real node there is no kube-proxy, the kubernetes Service gets no endpoints
# (--endpoint-reconciler-type none) and clients use the kubeconfig. The API server dials
# kubelets by InternalIP: the real node's name resolves nowhere. The requestheader flags only fill the
# extension-apiserver-authentication ConfigMap that controller-manager and scheduler read
# (without them both log "missing content for CA bundle" errors forever); no certificate with
# CN front-proxy-client is ever issued.
start kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$bind" --advertise-address "$advertise" --secure-port "$API_PORT" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" --authorization-mode Node,RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true \
  --profiling=false --event-ttl 1h --endpoint-reconciler-type "$reconciler" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --requestheader-client-ca-file "$pki/ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$STATE/logs/audit.log" \
  --audit-log-maxsize 100 --audit-log-maxbackup 1
wait_for "kube-apiserver /readyz" 90 kube-apiserver curl -fs --cacert "$pki/ca.crt" \
  --cert "$pki/admin.crt" --key "$pki/admin.key" "https://127.0.0.1:$API_PORT/readyz"

start kube-controller-manager --kubeconfig "$KUBECONFIG_FILE" \
  --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --controllers '*' --profiling=false \
  --kube-api-qps "${TRACEROLL_KCM_QPS:-20}" --kube-api-burst "${TRACEROLL_KCM_BURST:-30}"
start kube-scheduler --kubeconfig "$KUBECONFIG_FILE" \
  --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
  --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false
start kwok --kubeconfig "$KUBECONFIG_FILE" --config "$here/kwok/stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-label-selector type=kwok --cidr 10.244.0.0/16

# Three fake nodes (no taints; KWOK manages them through the type=kwok label and keeps the
# status given here), and volumes for claims without a storage class (Tempo's StatefulSet).
for i in 0 1 2; do
  cat <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  labels: {type: kwok, kubernetes.io/hostname: kwok-node-$i, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
  annotations: {kwok.x-k8s.io/node: fake, node.alpha.kubernetes.io/ttl: "0"}
status:
  allocatable: {cpu: "32", memory: 128Gi, ephemeral-storage: 500Gi, pods: "110"}
  capacity: {cpu: "32", memory: 128Gi, ephemeral-storage: 500Gi, pods: "110"}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-pv-$i, labels: {type: kwok}}
spec:
  capacity: {storage: 50Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /tmp/traceroll-pv-$i}
---
NODE
done | kubectl create -f - >&2

wait_for "nodes Ready" 60 kwok kubectl wait --for condition=Ready node -l type=kwok --timeout 1s
wait_for "default ServiceAccount" 60 kube-controller-manager kubectl get serviceaccount default -n default
if [[ $REAL_NODE == 1 ]]; then
  bash "$here/node.sh" start || fail "the real node did not start (its log is above; TRACEROLL_REAL_NODE=0 for KWOK nodes only)"
fi
log "cluster up in $(( $(date +%s) - started ))s (API server https://127.0.0.1:$API_PORT, state $STATE)"
echo "KUBECONFIG=$KUBECONFIG_FILE"
