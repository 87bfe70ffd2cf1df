#!/usr/bin/env bash
# make bench-compare [BENCH_ARGS=quick|short]: Traceroll's pod-mutating webhook side by side with the
# OpenTelemetry Operator's (v0.153.0, built from its Go module), both operators as host processes
# against one local kube-apiserver of this run's own (port offset 400, KWOK nodes only, state in
# ~/.cache/traceroll/compare-cluster), three arms: a namespace no webhook selects (plain), one
# Traceroll's policy selects, one the OpenTelemetry Operator's webhook selects; the same
# ReplicaSet-owned pod in all three. The client is podcreatebench (main.go beside this script).
#
# Phases, in order (wait_quiet before the timed ones):
#   a. check       one pod per arm: what each webhook added
#   b. start       restarts of each operator, alternating: to /readyz 200 and to the first
#                  mutated admission; RSS/threads right after
#   c. idle        a pre-warm pass (not reported), then RSS, peak, threads, CPU over an idle period
#   d. latency     interleaved, rotated rounds of sequential creates; added latency; the API
#                  server's calls per pod of each webhook
#   e. throughput  8 and 32 concurrent creators per arm
#   f. bursts      after idle periods, bursts of concurrent creates (Traceroll's arm, then OTel's)
#   g. end         the processes' RSS, peak, threads, CPU
# Raw output and report.md go to e2e/bench/compare/results/<UTC time>/ (git-ignored); a full run
# also puts report.md between the bench-compare markers of docs/benchmarks.md
# (BENCH_WRITE_DOCS=0 to skip, =1 to do it for a quick run too). A short run (about 5 minutes)
# is for comparing two builds: 300 pre-warm creates, latency 3 x (40 + 150), throughput at 8
# creators for 2 s, one burst of 8.
#
# Environment: TRACEROLL_JAR runs that jar (its lib/ beside it) instead of building one with
# ./mvnw; TRACEROLL_JVM_EXTRA adds JVM options. Everything started here is stopped on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

mode=full
case "${1:-full}" in
  full) mode=full ;;
  quick) mode=quick ;;
  short) mode=short ;;
  -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: $0 [quick|short|full]   (make bench-compare [BENCH_ARGS=quick|short])" >&2; exit 2 ;;
esac

# ---- counts ------------------------------------------------------------------------------------
if [[ $mode == full ]]; then
  START_ROUNDS=3 START_PAUSE=15 PREWARM=500 IDLE_S=30
  LAT_ROUNDS=3 LAT_WARMUP=50 LAT_N=300
  TP_C=8,32 TP_DURATION=20s TP_WARMUP=20
  BURST_IDLES=0s,40s,120s BURST_SIZES=8,32,128
  QUIET_PCT=60 QUIET_MAX=600 SETTLE=3s
  WRITE_DOCS="${BENCH_WRITE_DOCS:-1}"
elif [[ $mode == short ]]; then
  START_ROUNDS=1 START_PAUSE=3 PREWARM=300 IDLE_S=5
  LAT_ROUNDS=3 LAT_WARMUP=40 LAT_N=150
  TP_C=8 TP_DURATION=2s TP_WARMUP=5
  BURST_IDLES=0s BURST_SIZES=8
  QUIET_PCT=50 QUIET_MAX=20 SETTLE=1s
  WRITE_DOCS="${BENCH_WRITE_DOCS:-0}"
else
  START_ROUNDS=1 START_PAUSE=3 PREWARM=20 IDLE_S=5
  LAT_ROUNDS=3 LAT_WARMUP=5 LAT_N=20
  TP_C=8,32 TP_DURATION=3s TP_WARMUP=5
  BURST_IDLES=0s,5s BURST_SIZES=8,32,128
  QUIET_PCT=50 QUIET_MAX=20 SETTLE=1s
  WRITE_DOCS="${BENCH_WRITE_DOCS:-0}"
fi

# ---- this run's cluster, ports and files -------------------------------------------------------
# shellcheck source=/dev/null # the repository's pinned versions (e2e/local-cluster/versions.env)
source e2e/local-cluster/versions.env
# Our own cluster whatever the caller's environment names (a demo's or the tests' cluster must
# not be taken over or torn down): offset 400 (the demo 0, tests 100, other benchmarks 200), and
# KWOK nodes only (the real node is machine-wide; make test and make demo use it).
export TRACEROLL_CLUSTER_DIR="$HOME/.cache/traceroll/compare-cluster"
export TRACEROLL_PORT_OFFSET=400 TRACEROLL_REAL_NODE=0
unset TRACEROLL_ETCD_PORT TRACEROLL_ETCD_PEER_PORT TRACEROLL_API_PORT TRACEROLL_KCM_PORT TRACEROLL_SCHEDULER_PORT
export KUBECONFIG="$TRACEROLL_CLUSTER_DIR/admin.kubeconfig"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
BIN="$CACHE/bin"
KUBECTL="$BIN/kubectl-$K8S_VERSION"
BENCH="$BIN/podcreatebench"
run="$CACHE/compare-run"          # pids, the jar copy, the OTel certificates; removed on exit
lock="$CACHE/compare.pid"

# Every port off both operators' defaults (9443, 8081, 8443, 14250, 5778) and below the
# ephemeral range the tests' free ports come from.
TR_WEBHOOK_PORT=19543 TR_HEALTH_PORT=18581 TR_SAMPLING_GRPC_PORT=14650 TR_SAMPLING_HTTP_PORT=6178
OTEL_WEBHOOK_PORT=19544 OTEL_PROBE_PORT=18582 OTEL_METRICS_PORT=18543
NS_PLAIN=bench-plain NS_TR=bench-traceroll NS_OTEL=bench-otel
ARMS="plain=$NS_PLAIN,traceroll=$NS_TR,otel=$NS_OTEL"
# The shipped Deployment's JVM options (JAVA_TOOL_OPTIONS under a 512Mi limit); MaxRAM stands in
# for the limit, and SerialGC is the collector the JVM picks itself in a container of under
# 1792 MiB (on the host it would pick G1).
TR_JVM="-XX:MaxRAM=512m -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC${TRACEROLL_JVM_EXTRA:+ $TRACEROLL_JVM_EXTRA}"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$here/results/$stamp"
[[ $mode == full ]] || out+="-$mode"
mkdir -p "$out/logs" "$CACHE"

log() { echo "[compare $(date -u +%T)] $*" >&2; }
die() { log "$*"; exit 1; }
k() { "$KUBECTL" "$@"; }
meta() { printf '%s=%s\n' "$1" "$2" >> "$out/meta.env"; }

# One bench-compare at a time: the cluster directory and the ports are fixed.
if [[ -f "$lock" ]]; then
  other=$(cat "$lock")
  if [[ "$other" =~ ^[0-9]+$ ]] && tr '\0' ' ' < "/proc/$other/cmdline" 2>/dev/null | grep -q 'compare/run.sh'; then
    die "another bench-compare (pid $other) is running"
  fi
fi
echo $$ > "$lock"

# ---- processes ---------------------------------------------------------------------------------
otel_bin=""
# name pid: true when pid is alive and runs our jar / binary (a recycled pid is never ours).
ours() {
  local cmd
  cmd=$(tr '\0' ' ' < "/proc/$2/cmdline" 2>/dev/null) || return 1
  case "$1" in
    traceroll) [[ "$cmd" == *"-jar $run/jar/traceroll-operator.jar"* ]] ;;
    otel) [[ -n "$otel_bin" && "$cmd" == "$otel_bin "* ]] ;;
    *) return 1 ;;
  esac
}
exited() { # pid: gone, or a zombie waiting to be reaped
  [[ ! -e "/proc/$1/stat" ]] || [[ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" == Z ]]
}
# Stops an operator this run started (SIGTERM, as Kubernetes does; SIGKILL after 30 s).
stop_op() {
  local f="$run/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid=$(cat "$f")
  if ours "$1" "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do exited "$pid" && break; sleep 0.25; done
    if ! exited "$pid"; then
      log "$1 (pid $pid) ignored SIGTERM, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  rm -f "$f"
}
# Starts an operator in the background (a child of this shell: $! is its pid).
start_op() {
  case "$1" in
    traceroll)
      # shellcheck disable=SC2086 # TR_JVM is a list of options
      env -u JAVA_TOOL_OPTIONS TRACEROLL_NAMESPACE=traceroll-system \
        TRACEROLL_HEALTH_PORT=$TR_HEALTH_PORT TRACEROLL_WEBHOOK_PORT=$TR_WEBHOOK_PORT \
        TRACEROLL_WEBHOOK_BIND=127.0.0.1 TRACEROLL_WEBHOOK_URL="https://127.0.0.1:$TR_WEBHOOK_PORT/mutate" \
        TRACEROLL_SAMPLING_GRPC_PORT=$TR_SAMPLING_GRPC_PORT TRACEROLL_SAMPLING_HTTP_PORT=$TR_SAMPLING_HTTP_PORT \
        java $TR_JVM -jar "$run/jar/traceroll-operator.jar" >> "$out/logs/traceroll-operator.log" 2>&1 < /dev/null &
      ;;
    otel)
      # controller-runtime serves its webhooks with $TMPDIR/k8s-webhook-server/serving-certs.
      TMPDIR="$run/otel-tmp" "$otel_bin" --webhook-port "$OTEL_WEBHOOK_PORT" \
        --metrics-addr "127.0.0.1:$OTEL_METRICS_PORT" --health-probe-addr "127.0.0.1:$OTEL_PROBE_PORT" \
        --zap-log-level=info --zap-time-encoding=rfc3339nano \
        >> "$out/logs/otel-operator.log" 2>&1 < /dev/null &
      ;;
  esac
  echo $! > "$run/$1.pid"
}
ready_url() {
  case "$1" in
    traceroll) echo "http://127.0.0.1:$TR_HEALTH_PORT/readyz" ;;
    otel) echo "http://127.0.0.1:$OTEL_PROBE_PORT/readyz" ;;
  esac
}
wait_ready() { # name
  local pid; pid=$(cat "$run/$1.pid")
  for _ in $(seq 1 600); do
    curl -fs -m 2 "$(ready_url "$1")" > /dev/null 2>&1 && return 0
    exited "$pid" && { tail -40 "$out/logs/$1-operator.log" >&2; die "$1 operator exited while starting"; }
    sleep 0.2
  done
  die "$1 operator not ready after 120 s (log: $out/logs/$1-operator.log)"
}
# The API server's per-webhook admission metrics at the start of a phase (the report takes the
# change up to the next snapshot as the phase's).
snap_n=0
snap_metrics() { # phase
  snap_n=$((snap_n + 1))
  "$BENCH" -mode metrics -out "$out/metrics/$snap_n-$1.json"
}
pids() {
  echo "traceroll=$(cat "$run/traceroll.pid"),otel=$(cat "$run/otel.pid"),apiserver=$(cat "$TRACEROLL_CLUSTER_DIR/pids/kube-apiserver.pid")"
}

# ---- machine quiet -----------------------------------------------------------------------------
# Share of CPU time idle (incl. iowait) over the next $1 seconds, whole machine, in percent.
cpu_idle_pct() {
  local a b tot=0 i
  read -ra a < /proc/stat
  sleep "$1"
  read -ra b < /proc/stat
  for i in 1 2 3 4 5 6 7 8; do tot=$((tot + b[i] - a[i])); done
  echo $((100 * (b[4] - a[4] + b[5] - a[5]) / (tot > 0 ? tot : 1)))
}
# Before a timed phase: waits until two 10 s samples in a row are at least QUIET_PCT % idle, or
# QUIET_MAX seconds pass (then measures anyway, and the report says so). Records it in phases.tsv.
wait_quiet() { # phase
  local deadline=$((SECONDS + QUIET_MAX)) prev=-1 cur quiet=no
  while :; do
    cur=$(cpu_idle_pct 10)
    log "$1: machine idle ${cur}% (load $(cut -d' ' -f1-3 /proc/loadavg))"
    if ((prev >= QUIET_PCT && cur >= QUIET_PCT)); then quiet=yes; break; fi
    ((SECONDS < deadline)) || break
    prev=$cur
  done
  [[ $quiet == yes ]] || log "$1: machine not quiet within ${QUIET_MAX}s (wanted ${QUIET_PCT}% idle twice), measuring anyway"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$(date -u +%FT%TZ)" "$cur" "$(cut -d' ' -f1-3 /proc/loadavg)" "$quiet" >> "$out/phases.tsv"
}

# ---- teardown ----------------------------------------------------------------------------------
vmstat_pid=""
teardown() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [[ -n "$vmstat_pid" ]] && kill "$vmstat_pid" 2>/dev/null && wait "$vmstat_pid" 2>/dev/null
  # The cluster's logs: down.sh removes its directory.
  [[ -d "$TRACEROLL_CLUSTER_DIR/logs" ]] && cp -r "$TRACEROLL_CLUSTER_DIR/logs" "$out/logs/cluster"
  stop_op traceroll
  stop_op otel
  log "stopping the compare cluster"
  bash e2e/local-cluster/down.sh >> "$out/logs/cluster-down.log" 2>&1 || log "down.sh failed: $out/logs/cluster-down.log"
  rm -rf "$run"
  [[ "$(cat "$lock" 2>/dev/null)" == "$$" ]] && rm -f "$lock"
  if ((rc != 0)) && [[ -x "$BENCH" && ! -s "$out/report.md" ]]; then
    "$BENCH" -mode report -dir "$out" -md "$out/report.md" 2>/dev/null && log "partial report: $out/report.md"
  fi
  ((rc == 0)) || log "failed (exit $rc); raw output in $out"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build -------------------------------------------------------------------------------------
log "results in $out ($mode run)"
log "building the cluster's binaries, the OpenTelemetry Operator and the client (cached after the first time)"
# up.sh needs kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and KWOK.
bash e2e/local-cluster/build.sh kubernetes etcd kwok > "$out/logs/build-cluster.log" 2>&1 ||
  { tail -30 "$out/logs/build-cluster.log" >&2; die "building the cluster's binaries failed"; }
otel_bin=$(bash "$here/otel-operator/build.sh" 2> "$out/logs/build-otel-operator.log" | tail -1) ||
  { tail -30 "$out/logs/build-otel-operator.log" >&2; die "building the OpenTelemetry Operator failed"; }
(cd "$here" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$BENCH" .) || die "building podcreatebench failed"
if [[ -n "${TRACEROLL_JAR:-}" ]]; then
  jar="$TRACEROLL_JAR"
  jar_source="$TRACEROLL_JAR (TRACEROLL_JAR)"
else
  log "building the Traceroll jar (./mvnw -B -q install -DskipTests)"
  ./mvnw -B -q install -DskipTests
  jar=operator/target/traceroll-operator.jar
  jar_source="$jar, built from this checkout"
fi
[[ -f "$jar" ]] || die "no jar at $jar"
# A copy for the whole run (restarts included): a build running meanwhile may rewrite the original.
# The jar names its dependencies in lib/ beside it.
stop_stale() { # an earlier run killed before its teardown: its operators, by the pids it left
  local name
  for name in traceroll otel; do stop_op "$name"; done
}
stop_stale
rm -rf "$run"
mkdir -p "$run/jar"
cp "$jar" "$run/jar/traceroll-operator.jar"
[[ -d "$(dirname "$jar")/lib" ]] && cp -r "$(dirname "$jar")/lib" "$run/jar/lib"

# ---- what is compared, on what ----------------------------------------------------------------
otel_mod=github.com/open-telemetry/opentelemetry-operator
otel_v=$(awk -v m="$otel_mod" '$1 == "require" && $2 == m {print $3}' "$here/otel-operator/go.mod")
otel_info=$(cd "$CACHE" && go mod download -json "$otel_mod@$otel_v")
otel_dir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' <<< "$otel_info")
otel_sum=$(sed -n 's/.*"Sum": "\(.*\)".*/\1/p' <<< "$otel_info" | head -1)
otel_hash=$(sed -n 's/.*"Hash": "\(.*\)".*/\1/p' <<< "$otel_info" | head -1)
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# --no-optional-locks: status must not refresh the index another build may be using.
changed=$({ git --no-optional-locks -C "$root" status --porcelain --untracked-files=no 2> /dev/null || true; } | wc -l)
tree="clean tree"
((changed == 0)) || tree="$changed file(s) changed in the work tree"
[[ -n "${TRACEROLL_JAR:-}" ]] && tree="the jar came from TRACEROLL_JAR; the checkout's tree: $tree"
{
  meta MODE "$mode"
  meta DATE_UTC "$(date -u '+%Y-%m-%d %H:%M') UTC"
  meta RESULTS "${out#"$root"/}"
  meta TRACEROLL_COMMIT "$commit"
  meta TRACEROLL_TREE "$tree"
  meta TRACEROLL_JAR_SOURCE "$jar_source"
  meta TRACEROLL_JAR_SHA256 "$(sha256sum "$run/jar/traceroll-operator.jar" | cut -d' ' -f1)"
  meta TRACEROLL_JVM "$(java -version 2>&1 | head -1 | tr -d '"') $TR_JVM"
  meta OTEL_VERSION "$otel_v (tag commit ${otel_hash:0:12})"
  meta OTEL_MODULE_SUM "$otel_mod@$otel_v $otel_sum"
  meta OTEL_GO "built with $(go version "$otel_bin" | awk '{print $2}'), CGO_ENABLED=0"
  meta K8S_VERSION "$K8S_VERSION" ; meta ETCD_VERSION "$ETCD_VERSION" ; meta KWOK_VERSION "$KWOK_VERSION"
  meta NPROC "$(nproc)"
  meta CPU_MODEL "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  meta MEM_GIB "$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
  meta KERNEL "$(uname -r)"
  meta LOAD_START "$(cut -d' ' -f1-3 /proc/loadavg)"
  meta START_ROUNDS "$START_ROUNDS"
  meta PREWARM "$PREWARM"
  meta LAT_ROUNDS "$LAT_ROUNDS" ; meta LAT_WARMUP "$LAT_WARMUP" ; meta LAT_N "$LAT_N"
  meta TP_DURATION "$TP_DURATION" ; meta TP_WARMUP "$TP_WARMUP"
  meta COUNTS "start: $START_ROUNDS restart(s) each; pre-warm $PREWARM creates/arm; idle ${IDLE_S}s; latency $LAT_ROUNDS rounds × ($LAT_WARMUP warm-up + $LAT_N measured)/arm; throughput c=$TP_C × $TP_DURATION/arm; bursts after idle ${BURST_IDLES//,/, } × ${BURST_SIZES//,/, } creators"
}

# ---- cluster -----------------------------------------------------------------------------------
vmstat -t 5 > "$out/vmstat.txt" 2>&1 &
vmstat_pid=$!
for p in $TR_WEBHOOK_PORT $TR_HEALTH_PORT $TR_SAMPLING_GRPC_PORT $TR_SAMPLING_HTTP_PORT \
  $OTEL_WEBHOOK_PORT $OTEL_PROBE_PORT $OTEL_METRICS_PORT; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then die "port 127.0.0.1:$p is in use"; fi
done
# A cluster an earlier run left behind (killed before its teardown) is ours: start afresh.
bash e2e/local-cluster/down.sh > "$out/logs/cluster-down-stale.log" 2>&1 || true
log "starting the compare cluster (offset $TRACEROLL_PORT_OFFSET, $TRACEROLL_CLUSTER_DIR)"
bash e2e/local-cluster/up.sh > "$out/logs/cluster-up.log" 2>&1 ||
  { tail -30 "$out/logs/cluster-up.log" >&2; die "the cluster did not start"; }

# The benchmark's pods name the ReplicaSet of a Deployment with 0 replicas as their controller
# owner, as a ReplicaSet-created pod does (the OpenTelemetry Operator's webhook looks that
# ReplicaSet up). A running replicaset-controller would delete every such pod at once (or release
# it) while it is measured, adding deletes to the load and changing the pods. So the
# kube-controller-manager up.sh started is restarted with the same arguments minus that
# controller; the Deployment controller still creates the owner ReplicaSets.
kcm_pidfile="$TRACEROLL_CLUSTER_DIR/pids/kube-controller-manager.pid"
kcm_pid=$(cat "$kcm_pidfile")
mapfile -d '' kcm_argv < "/proc/$kcm_pid/cmdline"
[[ "${kcm_argv[0]}" == "$BIN/kube-controller-manager-$K8S_VERSION" ]] || die "pid $kcm_pid is not our kube-controller-manager"
kill -TERM "$kcm_pid"
for _ in $(seq 1 80); do kill -0 "$kcm_pid" 2> /dev/null || break; sleep 0.25; done
kill -0 "$kcm_pid" 2> /dev/null && die "kube-controller-manager (pid $kcm_pid) did not stop"
kcm_args=()
for a in "${kcm_argv[@]:1}"; do
  [[ "$a" == '*' ]] && a='*,-replicaset-controller'
  kcm_args+=("$a")
done
setsid "${kcm_argv[0]}" "${kcm_args[@]}" >> "$TRACEROLL_CLUSTER_DIR/logs/kube-controller-manager.log" 2>&1 < /dev/null &
echo $! > "$kcm_pidfile"
sleep 0.5
# down.sh stops it by this pid file and checks argv[0]: setsid must have exec'd, not forked.
[[ "$(tr '\0' '\n' < "/proc/$(cat "$kcm_pidfile")/cmdline" 2> /dev/null | head -n1)" == "${kcm_argv[0]}" ]] ||
  die "the restarted kube-controller-manager is not at pid $(cat "$kcm_pidfile") (log: $TRACEROLL_CLUSTER_DIR/logs/kube-controller-manager.log)"
log "kube-controller-manager restarted without the replicaset-controller"

log "creating the arms, the policy, the Instrumentation and the webhook configurations"
setup_log="$out/logs/setup.log"
q() { # command...: output to the setup log; on failure show its end and stop
  "$@" >> "$setup_log" 2>&1 || { tail -20 "$setup_log" >&2; die "$1 ${2:-} failed (log: $setup_log)"; }
}
# kubectl wait fails at once on a CRD whose status has no conditions yet: poll instead.
wait_established() { # CRD names...
  local crd
  for crd in "$@"; do
    for _ in $(seq 1 120); do
      [[ "$(k get crd "$crd" -o jsonpath='{.status.conditions[?(@.type=="Established")].status}' 2> /dev/null)" == True ]] &&
        continue 2
      sleep 0.5
    done
    die "CRD $crd not established after 60 s"
  done
}
q k apply -f "$here/manifests/extra-nodes.yaml"
ok=no
for _ in $(seq 1 120); do # KWOK marks all six Ready (kubectl wait fails on a node with no conditions yet)
  ready=$(k get nodes -l type=kwok -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{" "}{end}' 2> /dev/null || true)
  [[ "$ready" == "True True True True True True " ]] && { ok=yes; break; }
  sleep 0.5
done
[[ $ok == yes ]] || die "the KWOK nodes are not Ready after 60 s"
q k apply -f "$here/manifests/namespaces.yaml"
for ns in "$NS_PLAIN" "$NS_TR" "$NS_OTEL"; do
  ok=no
  for _ in $(seq 1 240); do
    if [[ -n "$(k get rs -n "$ns" -l app=bench -o name 2> /dev/null)" ]] &&
      k get serviceaccount default -n "$ns" > /dev/null 2>&1; then ok=yes; break; fi
    sleep 0.5
  done
  [[ $ok == yes ]] || die "no ReplicaSet or default ServiceAccount in $ns after 120 s"
done
# Traceroll: its CRD, its namespace, the example policy that sends traces to an existing OTLP
# collector (nothing deployed); bench-traceroll carries the labels that policy selects.
q k apply --server-side --force-conflicts -f crds/tracingpolicies.traceroll.io-v1.yml
wait_established tracingpolicies.traceroll.io
q k create namespace traceroll-system
q k create namespace observability
q k apply -f examples/tracingpolicy-otlp.yaml
# The OpenTelemetry Operator: all of its CRDs (its collector controller will not start without
# TargetAllocator's), from the module it was built from.
otel_crds=()
for crd in "$otel_dir"/config/crd/bases/opentelemetry.io_*.yaml; do
  q k apply --server-side -f "$crd"
  name=$(basename "$crd" .yaml)
  otel_crds+=("${name#opentelemetry.io_}.opentelemetry.io")
done
wait_established "${otel_crds[@]}"
# Its webhooks by URL on loopback (mirroring upstream's, see the template), served with a
# certificate for 127.0.0.1 from a CA of our own.
certs="$run/otel-tmp/k8s-webhook-server/serving-certs"
mkdir -p "$certs"
q openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=otel-bench-ca" \
  -keyout "$run/otel-ca.key" -out "$run/otel-ca.crt"
q openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$certs/tls.key" -out "$run/otel-webhook.csr"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$run/otel-webhook.ext"
q openssl x509 -req -in "$run/otel-webhook.csr" -CA "$run/otel-ca.crt" -CAkey "$run/otel-ca.key" \
  -CAcreateserial -days 2 -extfile "$run/otel-webhook.ext" -out "$certs/tls.crt"
sed -e "s/__PORT__/$OTEL_WEBHOOK_PORT/g" -e "s/__CA__/$(base64 -w0 < "$run/otel-ca.crt")/g" \
  "$here/manifests/otel-webhooks.yaml.tmpl" > "$run/otel-webhooks.yaml"
q k apply -f "$run/otel-webhooks.yaml"

log "starting both operators"
start_op traceroll
start_op otel
wait_ready traceroll
wait_ready otel
ok=no
for _ in $(seq 1 60); do # its Instrumentation webhooks fail closed until its server answers
  if k apply -f "$here/manifests/instrumentation.yaml" >> "$out/logs/setup.log" 2>&1; then ok=yes; break; fi
  sleep 1
done
[[ $ok == yes ]] || die "the Instrumentation was not accepted (log: $out/logs/setup.log)"
for w in traceroll otel; do
  "$BENCH" -mode probe -arms "$ARMS" -arm "$w" -since "$(date +%s%N)" -timeout 120s >> "$out/logs/setup.log" 2>&1 ||
    { tail -5 "$out/logs/setup.log" >&2; die "$w's webhook does not inject"; }
done
tr_webhook=$(k get mutatingwebhookconfiguration traceroll-webhook -o jsonpath='{.webhooks[0].name}')
tr_timeout=$(k get mutatingwebhookconfiguration traceroll-webhook -o jsonpath='{.webhooks[0].timeoutSeconds}')
otel_webhook=mpod.kb.io
otel_timeout=$(k get mutatingwebhookconfiguration otel-bench-mutating -o jsonpath='{.webhooks[0].timeoutSeconds}')
WEBHOOKS="traceroll=$tr_webhook,otel=$otel_webhook"
meta TRACEROLL_TIMEOUT_S "$tr_timeout"
meta OTEL_TIMEOUT_S "$otel_timeout"
meta TRACEROLL_WEBHOOK "$tr_webhook"
meta OTEL_WEBHOOK "$otel_webhook"
log "webhooks: $tr_webhook (timeout ${tr_timeout}s), $otel_webhook (timeout ${otel_timeout}s)"

# ---- a. injection evidence ---------------------------------------------------------------------
snap_metrics check
log "a. check: one pod per arm"
"$BENCH" -mode check -arms "$ARMS" -out "$out/check.json" > "$out/check.txt"
grep '^==' "$out/check.txt" >&2

# ---- b. start ----------------------------------------------------------------------------------
wait_quiet start
snap_metrics start
log "b. start: $START_ROUNDS restart(s) of each operator, alternating"
for i in $(seq 1 "$START_ROUNDS"); do
  for w in traceroll otel; do
    stop_op "$w"
    sleep 2
    t0=$(date +%s%N)
    start_op "$w"
    "$BENCH" -mode probe -arms "$ARMS" -arm "$w" -since "$t0" -interval 50ms -timeout 180s \
      -ready-url "$(ready_url "$w")" -pid "$(cat "$run/$w.pid")" -name "$w" -round "$i" \
      -out "$out/start.jsonl" | sed "s/^/$w round $i: /" | tee -a "$out/start.txt" >&2
    sleep "$START_PAUSE"
  done
done

# ---- c. pre-warm and idle ----------------------------------------------------------------------
snap_metrics idle
log "c. pre-warm ($PREWARM creates per arm), then ${IDLE_S}s idle"
"$BENCH" -mode latency -arms "$ARMS" -n "$PREWARM" -warmup 0 -rounds 1 -settle "$SETTLE" \
  -out "$out/prewarm.json" > "$out/prewarm.txt"
"$BENCH" -mode procstat -pids "$(pids)" -out "$out/proc-idle-start.json"
sleep "$IDLE_S"
"$BENCH" -mode procstat -pids "$(pids)" -out "$out/proc-idle-end.json"

# ---- d. latency --------------------------------------------------------------------------------
wait_quiet latency
snap_metrics latency
log "d. latency: $LAT_ROUNDS rounds x ($LAT_WARMUP + $LAT_N) sequential creates per arm"
"$BENCH" -mode latency -arms "$ARMS" -webhooks "$WEBHOOKS" -pids "$(pids)" -n "$LAT_N" -warmup "$LAT_WARMUP" \
  -rounds "$LAT_ROUNDS" -settle "$SETTLE" -out "$out/latency.json" > "$out/latency.txt"
sed -n '/^pooled/,$p' "$out/latency.txt" >&2

# ---- e. throughput -----------------------------------------------------------------------------
wait_quiet throughput
snap_metrics throughput
log "e. throughput: c=$TP_C for $TP_DURATION per arm"
"$BENCH" -mode throughput -arms "$ARMS" -webhooks "$WEBHOOKS" -pids "$(pids)" -c "$TP_C" -duration "$TP_DURATION" \
  -warmup "$TP_WARMUP" -settle "$SETTLE" -out "$out/throughput.json" > "$out/throughput.txt"

# ---- f. bursts ---------------------------------------------------------------------------------
wait_quiet bursts
snap_metrics bursts
log "f. bursts: idle ${BURST_IDLES}, then ${BURST_SIZES} concurrent creates (Traceroll's arm, then OTel's)"
"$BENCH" -mode burst -arms "traceroll=$NS_TR,otel=$NS_OTEL" -webhooks "$WEBHOOKS" -c "$BURST_SIZES" \
  -idle "$BURST_IDLES" -settle "$SETTLE" -out "$out/bursts.json" > "$out/bursts.txt"

# ---- g. end ------------------------------------------------------------------------------------
log "g. processes at the end"
"$BENCH" -mode procstat -pids "$(pids)" -out "$out/proc-end.json"
snap_metrics end
k get --raw /metrics | grep -E '^apiserver_admission_webhook_' > "$out/apiserver-webhook-metrics-end.txt" || true
# Why the API server failed open (connection refused while an operator restarts, a timeout, ...).
grep -h 'failing open' "$TRACEROLL_CLUSTER_DIR/logs/kube-apiserver.log" > "$out/apiserver-failopen.log" || true
# Traceroll's own admission counters, as a cross-check of the API server's.
curl -fs -m 5 "http://127.0.0.1:$TR_HEALTH_PORT/metrics" | grep -E '^traceroll_admissions_total' \
  > "$out/traceroll-admissions-end.txt" || true

"$BENCH" -mode report -dir "$out" -md "$out/report.md"
if [[ "$WRITE_DOCS" == 1 ]]; then
  "$BENCH" -mode splice -file docs/benchmarks.md -in "$out/report.md"
  log "docs/benchmarks.md: the bench-compare section now holds this report"
fi
log "report: $out/report.md"
