#!/usr/bin/env bash
# The local cluster's real node: containerd + runc + a CNI bridge, kubelet and kube-proxy built
# from the same Kubernetes module as the control plane, and CoreDNS, joined to the control plane
# that up.sh started in $STATE. Pods choose it with nodeSelector type=real and a toleration of
# the traceroll.io/real-node taint; everything else keeps landing on the KWOK nodes.
#
#   node.sh start   start it (up.sh calls this; needs root and the binaries build.sh makes)
#   node.sh stop    stop it and undo every change to the machine (down.sh calls this)
#
# The node changes machine-wide things (iptables chains, kubelet's cgroups and sysctls, a
# bridge), so one real node runs per machine: a second cluster asking for one fails and names
# the cluster that holds it.
set -euo pipefail
source "$(dirname "$0")/common.sh"
source "$here/images/images.env"

NODE_STATE="$STATE/node"
NODE_NAME=traceroll-node
IMAGE_ROOT="$CACHE/node/containerd"          # imported images outlive one cluster
CONTAINERD_SOCK="$NODE_STATE/containerd/containerd.sock"
OWNER=/run/traceroll-real-node               # the state directory of the cluster holding the node
KUBELET_PORT=$((10250 + OFFSET))
KUBELET_HEALTHZ_PORT=$((10248 + OFFSET))
PROXY_HEALTHZ_PORT=$((10256 + OFFSET))
PROXY_METRICS_PORT=$((10249 + OFFSET))
POD_CIDR=10.88.0.0/24
POD_GATEWAY=10.88.0.1
DNS_IP=10.0.0.10                             # inside up.sh's --service-cluster-ip-range
BRIDGE=traceroll0
# kubelet sets the first four, the bridge plugin the last; stop puts the machine's values back.
SYSCTLS="vm.overcommit_memory kernel.panic kernel.panic_on_oops vm.panic_on_oom net.ipv4.ip_forward"

log() { echo "[node] $*" >&2; }
fail() { # message [process whose log to show]
  log "$1"
  if [[ -n "${2:-}" && -f "$NODE_STATE/logs/$2.log" ]]; then
    log "last lines of $NODE_STATE/logs/$2.log:"
    tail -40 "$NODE_STATE/logs/$2.log" >&2
  fi
  exit 1
}
kubectl() { "$(binary kubectl)" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
pid_of() { cat "$NODE_STATE/pids/$1.pid" 2>/dev/null; }
alive() { local p; p=$(pid_of "$1") && kill -0 "$p" 2>/dev/null; }

render() { # template -> stdout with every @VAR@ replaced by the shell variable VAR
  local s v
  s=$(cat "$1")
  for v in NODE_STATE NODE_NAME NODE_IP IMAGE_ROOT CONTAINERD_SOCK CLUSTER_STATE KUBELET_PORT \
    KUBELET_HEALTHZ_PORT PROXY_HEALTHZ_PORT PROXY_METRICS_PORT POD_CIDR POD_GATEWAY DNS_IP \
    BRIDGE SNAPSHOTTER PAUSE_IMAGE COREDNS_IMAGE; do
    s=${s//@$v@/${!v}}
  done
  [[ ! "$s" =~ @[A-Z_]+@ ]] || [[ "${BASH_REMATCH[0]}" == @VARS@ ]] || fail "unfilled placeholder ${BASH_REMATCH[0]} in $1"
  printf '%s\n' "$s"
}

start_bg() { # name command...: own session, log and pid file under the node's state
  local name="$1"; shift
  setsid "$@" > "$NODE_STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$NODE_STATE/pids/$name.pid"
}

wait_until() { # what seconds process command...
  local what="$1" secs="$2" proc="$3"; shift 3
  for _ in $(seq 1 $((secs * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    alive "$proc" || fail "$proc exited while waiting for $what" "$proc"
    sleep 0.25
  done
  fail "timed out waiting for $what" "$proc"
}

preflight() {
  [[ $EUID == 0 ]] || fail "a real node needs root (containerd, kubelet, iptables); TRACEROLL_REAL_NODE=0 starts KWOK nodes only"
  local missing=() pkg cmd
  for pkg in containerd:containerd runc:runc /usr/lib/cni/bridge:containernetworking-plugins \
    iptables:iptables conntrack:conntrack umoci:umoci /bin/busybox:busybox-static; do
    cmd=${pkg%%:*}
    if [[ $cmd == /* ]]; then [[ -e $cmd ]] || missing+=("${pkg#*:}")
    else command -v "$cmd" >/dev/null || missing+=("${pkg#*:}"); fi
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]} with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 ||
      fail "could not install ${missing[*]} (apt-get install -y ${missing[*]})"
  fi
  local b
  for b in kubelet kube-proxy; do
    [[ -x "$(binary "$b")" ]] || bash "$here/build.sh" node >&2 || fail "building kubelet and kube-proxy failed"
  done
  # Another cluster's node holds the machine-wide pieces.
  if [[ -f "$OWNER" && "$(cat "$OWNER")" != "$STATE" ]]; then
    local other; other=$(cat "$OWNER")
    if [[ -d "$other/node/pids" ]] && STATE="$other" running_node_pid >/dev/null; then
      fail "this machine's real node belongs to the cluster in $other: stop it first (make demo-down, or TRACEROLL_CLUSTER_DIR=$other bash $here/down.sh)"
    fi
    log "cleaning up the real node of a cluster that is gone ($other)"
    STATE="$other" bash "$0" stop || true
  fi
}

running_node_pid() { local p; p=$(cat "$STATE/node/pids/kubelet.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null && echo "$p"; }

save_sysctls() {
  [[ -f "$NODE_STATE/sysctl.orig" ]] && return
  local k
  for k in $SYSCTLS; do echo "$k=$(sysctl -n "$k")"; done > "$NODE_STATE/sysctl.orig"
}

start_containerd() {
  # overlayfs snapshots need overlay mounts where the images live; fall back to native copies.
  SNAPSHOTTER=overlayfs
  local t="$NODE_STATE/overlay-test"
  mkdir -p "$t"/{l,u,w,m} "$IMAGE_ROOT"
  if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
    umount "$t/m"
  else
    log "overlay mounts fail here; using the native snapshotter"
    SNAPSHOTTER=native
  fi
  rm -rf "$t"
  render "$here/node/containerd.toml" > "$NODE_STATE/config/containerd.toml"
  render "$here/node/cni.conflist" > "$NODE_STATE/cni/net.d/10-traceroll.conflist"
  start_bg containerd containerd --config "$NODE_STATE/config/containerd.toml"
  wait_until "containerd" 60 containerd ctr_ version
}

# Client certificates signed by the cluster CA: kubelet as system:node:<name> (Node authorizer),
# kube-proxy as system:kube-proxy (bound to system:node-proxier by default RBAC).
client_kubeconfig() { # who subject
  local p="$NODE_STATE/pki" pki="$STATE/pki"
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$p/$1.key" -out "$p/$1.csr" 2>/dev/null
  openssl x509 -req -in "$p/$1.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 30 -extfile "$pki/client.ext" -out "$p/$1.crt" 2>/dev/null || fail "signing $1's certificate failed"
  cat > "$p/$1.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$pki/ca.crt"}
users:
- name: $1
  user: {client-certificate: "$p/$1.crt", client-key: "$p/$1.key"}
contexts:
- name: local
  context: {cluster: local, user: $1}
current-context: local
KC
}

start_kubelet() {
  client_kubeconfig kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
  render "$here/node/kubelet.yaml" > "$NODE_STATE/config/kubelet.yaml"
  start_bg kubelet "$(binary kubelet)" --config "$NODE_STATE/config/kubelet.yaml" \
    --kubeconfig "$NODE_STATE/pki/kubelet.kubeconfig" --root-dir "$NODE_STATE/kubelet" \
    --cert-dir "$NODE_STATE/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --node-labels "type=real" --v 1
  wait_until "node $NODE_NAME to register" 120 kubelet kubectl get node "$NODE_NAME"
  # Nothing allocates node CIDRs here; record the bridge's range for whatever reads it.
  kubectl patch node "$NODE_NAME" --type merge \
    -p "{\"spec\":{\"podCIDR\":\"$POD_CIDR\",\"podCIDRs\":[\"$POD_CIDR\"]}}" >/dev/null
  wait_until "node $NODE_NAME Ready" 120 kubelet kubectl wait --for condition=Ready node "$NODE_NAME" --timeout 1s
}

start_proxy() {
  client_kubeconfig kube-proxy "/CN=system:kube-proxy"
  render "$here/node/kube-proxy.yaml" > "$NODE_STATE/config/kube-proxy.yaml"
  start_bg kube-proxy "$(binary kube-proxy)" --config "$NODE_STATE/config/kube-proxy.yaml" --v 1
  wait_until "kube-proxy" 60 kube-proxy curl -fs "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"
}

start_dns() {
  render "$here/node/coredns.yaml" | kubectl apply -f - >/dev/null
  wait_until "CoreDNS" 120 kubelet kubectl -n kube-system rollout status deployment/coredns --timeout 1s
}

start() {
  preflight
  NODE_IP=$(node_ip)
  [[ -n "$NODE_IP" ]] || fail "no global IPv4 address for the node"
  CLUSTER_STATE="$STATE"
  mkdir -p "$NODE_STATE"/{logs,pids,pki,config,cni/net.d,cni/ipam,kubelet}
  echo "$STATE" > "$OWNER"
  echo "$NODE_IP" > "$NODE_STATE/node-ip"
  save_sysctls
  local t0=$SECONDS
  start_containerd
  CONTAINERD_ADDRESS="$CONTAINERD_SOCK" TRACEROLL_SNAPSHOTTER="$SNAPSHOTTER" \
    bash "$here/images.sh" import "$CONTAINERD_SOCK" pause coredns >&2 || fail "importing images failed"
  start_kubelet
  start_proxy
  start_dns
  log "node $NODE_NAME Ready with DNS in $((SECONDS - t0))s (node IP $NODE_IP, pods $POD_CIDR, images in $IMAGE_ROOT)"
}

# --- stop: undo all of start, also after a crash; safe when nothing runs ---------------------
stop_pid() { # name: TERM, up to 15 s, then KILL
  local p; p=$(pid_of "$1") || return 0
  if kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  fi
  rm -f "$NODE_STATE/pids/$1.pid"
}

drop_chain() { # iptables table chain: the jumps into it, then the chain
  local ipt="$1" t="$2" c="$3" rule
  $ipt -t "$t" -S 2>/dev/null | grep -- "-j $c\( \|$\)" | sed 's/^-A/-D/' |
    while read -r rule; do eval "$ipt -t $t $rule" 2>/dev/null; done
  $ipt -t "$t" -F "$c" 2>/dev/null; $ipt -t "$t" -X "$c" 2>/dev/null
  return 0
}

stop() {
  [[ -d "$NODE_STATE" ]] || return 0
  set +e # best effort: every step runs, whatever the one before it left
  # 1. Pods first, while kubelet and containerd run, so each sandbox gets its CNI DEL.
  if alive kubelet && curl -fsk --max-time 2 --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" \
      --key "$STATE/pki/admin.key" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1; then
    kubectl delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --grace-period 2 \
      --wait=true --timeout 60s >/dev/null 2>&1 || log "some pods did not go away in 60 s"
  fi
  # 2. kube-proxy and its rules, kubelet.
  stop_pid kube-proxy
  [[ -x "$(binary kube-proxy)" ]] && "$(binary kube-proxy)" --cleanup --v 0 >/dev/null 2>&1
  stop_pid kubelet
  kubectl delete node "$NODE_NAME" --ignore-not-found --timeout 10s >/dev/null 2>&1 || true
  # 3. Containers kubelet had no time to stop, containerd, then any shim of ours it left.
  local sandboxes=()
  if alive containerd; then
    local c
    mapfile -t sandboxes < <(ctr_ containers ls -q 2>/dev/null)
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s KILL "$c" >/dev/null 2>&1; done
    sleep 0.5
    for c in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks rm -f "$c" >/dev/null 2>&1; done
    for c in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers rm "$c" >/dev/null 2>&1; done
  fi
  stop_pid containerd
  local p cmd
  for p in $(pgrep -f containerd-shim-runc-v2 2>/dev/null); do
    cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || continue
    [[ "$cmd" == *"-address $CONTAINERD_SOCK "* ]] && kill -KILL "$p" 2>/dev/null
  done
  # 4. Mounts under the node's state and the image root (rootfs overlays, shm, netns,
  #    volumes), deepest first.
  local m
  for m in $(awk -v s="$NODE_STATE/" -v i="$IMAGE_ROOT/" 'index($2, s) == 1 || index($2, i) == 1 {print $2}' \
      /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  # 5. Network: the bridge, CNI chains of sandboxes that never got a CNI DEL (ours name
  #    traceroll-pods), portmap's shared chains when empty, kubelet's own chains.
  ip link del "$BRIDGE" 2>/dev/null || true
  local ipt chain t
  for ipt in iptables ip6tables; do
    command -v $ipt >/dev/null || continue
    for chain in $($ipt -t nat -S 2>/dev/null | awk '/^-N CNI-/ {print $2}'); do
      [[ "$($ipt -t nat -S "$chain" 2>/dev/null)" == *'name: \"traceroll-pods\"'* ]] && drop_chain $ipt nat "$chain"
    done
    for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ; do
      [[ $($ipt -t nat -S "$chain" 2>/dev/null | grep -c '^-A') == 0 ]] && drop_chain $ipt nat "$chain"
    done
    for t in mangle nat filter; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-PROXY-CANARY KUBE-IPTABLES-HINT; do
        drop_chain $ipt $t $chain
      done
    done
  done
  # libcni's result cache, by network (ours) and by the sandboxes containerd still had.
  rm -f /var/lib/cni/results/traceroll-pods-* 2>/dev/null
  for c in "${sandboxes[@]}"; do rm -f /var/lib/cni/results/*-"$c"-* 2>/dev/null; done
  rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc/k8s.io /run/containerd/runc \
    /run/containerd /var/lib/cni/results /var/lib/cni 2>/dev/null
  # 6. kubelet's cgroups (cgroupfs driver), empty by now.
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [[ -d "$d" ]] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d "$d" ]] && log "cgroup $d still in use"
  done
  # 7. The machine's sysctls as they were.
  local k v
  if [[ -f "$NODE_STATE/sysctl.orig" ]]; then
    while IFS='=' read -r k v; do
      [[ "$(sysctl -n "$k" 2>/dev/null)" == "$v" ]] || sysctl -qw "$k=$v" || log "could not restore $k=$v"
    done < "$NODE_STATE/sysctl.orig"
  fi
  [[ -f "$OWNER" && "$(cat "$OWNER")" == "$STATE" ]] && rm -f "$OWNER"
  rm -rf "$NODE_STATE"
  log "node $NODE_NAME stopped and cleaned up"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
