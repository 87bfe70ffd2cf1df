# Shared settings of up.sh and down.sh. All state lives outside the repository.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.env"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
BIN="$CACHE/bin"
STATE="${TRACEROLL_CLUSTER_DIR:-$CACHE/cluster}"
# A second cluster (make test while make demo runs) shifts every port by this offset.
OFFSET="${TRACEROLL_PORT_OFFSET:-0}"
ETCD_PORT=$((23790 + OFFSET))
ETCD_PEER_PORT=$((23800 + OFFSET))
API_PORT=$((16443 + OFFSET))
KCM_PORT=$((16457 + OFFSET))
SCHEDULER_PORT=$((16459 + OFFSET))
KUBECONFIG_FILE="$STATE/admin.kubeconfig"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

binary() { # component -> cached binary path
  case "$1" in
    etcd) echo "$BIN/etcd-$ETCD_VERSION" ;;
    kwok) echo "$BIN/kwok-$KWOK_VERSION" ;;
    *) echo "$BIN/$1-$K8S_VERSION" ;;
  esac
}

# The pid recorded for a component, if that process still runs our binary.
running_pid() {
  local pidfile="$STATE/pids/$1.pid" pid
  [[ -f "$pidfile" ]] || return 1
  pid=$(cat "$pidfile")
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$(binary "$1")" || return 1
  echo "$pid"
}
