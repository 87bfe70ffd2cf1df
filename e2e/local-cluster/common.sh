# Shared settings of up.sh and down.sh. All state lives outside the repository.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.env"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
BIN="$CACHE/bin"
STATE="${TRACEROLL_CLUSTER_DIR:-$CACHE/cluster}"
# Fixed, non-default ports on 127.0.0.1. A second cluster (make test while make demo runs)
# shifts all of them by TRACEROLL_PORT_OFFSET; each one can also be set on its own.
OFFSET="${TRACEROLL_PORT_OFFSET:-0}"
ETCD_PORT="${TRACEROLL_ETCD_PORT:-$((23790 + OFFSET))}"
ETCD_PEER_PORT="${TRACEROLL_ETCD_PEER_PORT:-$((23800 + OFFSET))}"
API_PORT="${TRACEROLL_API_PORT:-$((16443 + OFFSET))}"
KCM_PORT="${TRACEROLL_KCM_PORT:-$((16457 + OFFSET))}"
SCHEDULER_PORT="${TRACEROLL_SCHEDULER_PORT:-$((16459 + OFFSET))}"
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
# One real node (node.sh) beside the KWOK nodes; 0 for KWOK nodes only (no root needed).
REAL_NODE="${TRACEROLL_REAL_NODE:-1}"
# In start order; down.sh stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

binary() { # component -> cached binary path
  case "$1" in
    etcd) echo "$BIN/etcd-$ETCD_VERSION" ;;
    kwok) echo "$BIN/kwok-$KWOK_VERSION" ;;
    coredns) echo "$BIN/coredns-$COREDNS_VERSION" ;;
    *) echo "$BIN/$1-$K8S_VERSION" ;;
  esac
}

# The pid recorded for a component, if that process is still alive and runs our binary
# (argv[0] equals the cached binary's path), so a recycled pid is never mistaken for ours.
running_pid() {
  local pidfile="$STATE/pids/$1.pid" pid argv0
  [[ -f "$pidfile" ]] || return 1
  pid=$(cat "$pidfile")
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  argv0=$(tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | head -n1) || return 1
  [[ "$argv0" == "$(binary "$1")" ]] || return 1
  echo "$pid"
}

# The address pods and the API server reach the real node at: the source address of the default
# route, else the first global IPv4 address (kubelet refuses loopback). `ip route get` sends
# nothing.
node_ip() {
  local ip
  ip=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1)
  [[ -n "$ip" ]] || ip=$(ip -4 -o addr show scope global | awk 'NR==1 {split($4, a, "/"); print a[1]}')
  echo "$ip"
}
