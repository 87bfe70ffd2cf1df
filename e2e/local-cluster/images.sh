#!/usr/bin/env bash
# Container images of the local cluster's real node, built here: this machine has no registry and
# no Docker, so each image is an OCI archive made with umoci from local inputs, and imported into
# the node's containerd with ctr. The archive's name carries a hash of every input, so an image
# whose inputs did not change is not rebuilt.
#
#   images.sh build [names...]           build (default: all) into $TRACEROLL_CACHE/images/ and
#                                        print "name ref archive" per image
#   images.sh import <socket> [names...] build, then import into containerd namespace k8s.io at
#                                        <socket> (snapshotter $TRACEROLL_SNAPSHOTTER, default
#                                        overlayfs); an image already there with the same
#                                        manifest digest is skipped
#   images.sh list                       the names and the image references they build
#   images.sh env                        images.env's content, from the pinned versions
#
# Needs root (layers own files as root and as 65532; the Java runtime is tried in a chroot),
# umoci, jq, busybox-static, a JDK 17 with jmods, go; ctr to import.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$HERE/versions.env"
source "$HERE/images/oci.sh"
source "$HERE/images/dockerfile.sh"
source "$HERE/images/recipes.sh"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
OUT="$CACHE/images"
JDK=/usr/lib/jvm/java-17-openjdk-amd64
SNAPSHOTTER="${TRACEROLL_SNAPSHOTTER:-overlayfs}"
# The agent version the webhook injects by default, read where it is defined.
AGENT_VERSION=$(sed -n 's/.*String AGENT_VERSION = "\(.*\)";.*/\1/p' \
  "$ROOT/crds/src/main/java/io/traceroll/api/Traceroll.java")
[[ -n "$AGENT_VERSION" ]] || { echo "[images] no AGENT_VERSION in Traceroll.java" >&2; exit 1; }

# The images, by short name; images/images.env holds the same references for other scripts.
PAUSE_IMAGE=traceroll.local/pause:3.10
JAVA_RUNTIME_IMAGE=traceroll.local/java-runtime:17
OPERATOR_IMAGE=ghcr.io/traceroll/traceroll-operator:dev
AGENT_IMAGE=ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:$AGENT_VERSION
SHOP_IMAGE=traceroll.local/demo-shop:1
JAEGER_IMAGE=traceroll.local/jaeger:$JAEGER_VERSION
COREDNS_IMAGE=traceroll.local/coredns:$COREDNS_VERSION
TOOLBOX_IMAGE=traceroll.local/toolbox:1
TRACED_SHOP_IMAGE=traceroll.local/shop-traced:1
NAMES=(pause java-runtime operator agent shop jaeger coredns toolbox traced-shop)

# distroless java17's server-side subset: no java.desktop (no X11 or sound libraries); with
# java.instrument, jdk.attach and jdk.management for Java agents.
JAVA_MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.instrument,java.sql,java.xml,java.security.jgss,java.scripting,java.rmi,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.management.agent,jdk.jfr,jdk.attach,jdk.zipfs,jdk.naming.dns

log() { echo "[images] $*" >&2; }
fail() { log "$*"; exit 1; }
ref_of() { local v="${1//-/_}"; v="${v^^}_IMAGE"; echo "${!v}"; }
size() { du -sh "$1" | cut -f1; }
need() { # command hint
  command -v "$1" >/dev/null || fail "$1 is missing ($2)"
}

# ---- inputs: recipe lines (images/recipes.sh); their hash names the archive ----

declare -A SUMS=() # "size mtime inode path" -> sha256, kept in $OUT/.sums between runs
SUMS_CHANGED=0
RECIPE=""
recipe() { RECIPE+="$*"$'\n'; }
recipe_files() { # dir relative-paths...: "sha256 path" lines, hashing only files that changed
  local dir="$1" key missing=() line; shift
  local keys=()
  mapfile -t keys < <(cd "$dir" && stat -Lc '%s %Y %i %n' "$@")
  (( ${#keys[@]} == $# )) || fail "missing input among: $*"
  for key in "${keys[@]}"; do [[ -v "SUMS[$dir ${key}]" ]] || missing+=("${key#* * * }"); done
  if (( ${#missing[@]} )); then
    while read -r line; do
      local sum="${line%% *}" path="${line#*  }"
      SUMS["$dir $(cd "$dir" && stat -Lc '%s %Y %i %n' "$path")"]="$sum"
    done < <(cd "$dir" && sha256sum "${missing[@]}")
    SUMS_CHANGED=1
  fi
  for key in "${keys[@]}"; do recipe "${SUMS[$dir $key]} ${key#* * * }"; done
}

# ---- build, import ----

declare -A KEY=() ARCHIVE=() DIGEST=()
build() { # name: sets KEY, ARCHIVE and DIGEST of it, building its archive if needed
  local name="$1" ref start=$SECONDS
  ref=$(ref_of "$name")
  [[ -n "${KEY[$name]:-}" ]] && return
  [[ "$name" == operator || "$name" == shop ]] && build java-runtime
  [[ "$name" == traced-shop ]] && build shop
  RECIPE="ref $ref"$'\n'
  recipe "$(declare -f "image_$name" "inputs_$name")"
  recipe "$(cat "$HERE/images/oci.sh")"
  "inputs_$name"
  KEY[$name]=$(sha256sum <<< "$RECIPE" | cut -c1-16)
  local archive="$OUT/$name-${KEY[$name]}.tar"
  ARCHIVE[$name]="$archive"
  if [[ ! -f "$archive" ]]; then
    local work="$OUT/.work-$name"
    rm -rf "$work" && mkdir -p "$work"
    "image_$name" "$work/layout" "${ref##*:}" "$work"
    oci_archive "$work/layout" "$archive"
    printf '%s' "$RECIPE" > "$archive.inputs" # what to diff when an image rebuilds unexpectedly
    rm -rf "$work"
    find "$OUT" -maxdepth 1 -name "$name-*.tar*" ! -name "$name-${KEY[$name]}.tar*" -delete
    log "$ref built in $((SECONDS - start))s: $(size "$archive") $archive"
  else
    log "$ref cached: $(size "$archive") $archive"
  fi
  DIGEST[$name]=$(tar -xOf "$archive" --occurrence=1 index.json | jq -r '.manifests[0].digest')
}

build_all() { # names...
  (( EUID == 0 )) || fail "building images needs root (file owners in layers, the chroot check)"
  need umoci "apt-get install umoci"
  need jq "apt-get install jq"
  [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1 ||
    fail "no static /bin/busybox (apt-get install busybox-static)"
  mkdir -p "$OUT"
  check_env_file
  # One build at a time: up.sh, demo.sh and tests may ask for images at once.
  exec 9>"$OUT/.lock"
  flock -n 9 || { log "waiting for another images.sh to finish"; flock 9; }
  if [[ -f "$OUT/.sums" ]]; then
    local k v
    while IFS=$'\t' read -r k v; do SUMS[$k]="$v"; done < "$OUT/.sums"
  fi
  local name
  for name in "$@"; do build "$name"; done
  if (( SUMS_CHANGED )); then
    for k in "${!SUMS[@]}"; do printf '%s\t%s\n' "$k" "${SUMS[$k]}"; done > "$OUT/.sums"
  fi
  for name in "${NAMES[@]}"; do
    if [[ -n "${ARCHIVE[$name]:-}" ]]; then
      printf '%s\t%s\t%s\t%s\n' "$name" "$(ref_of "$name")" "${ARCHIVE[$name]}" "${DIGEST[$name]}"
    fi
  done > "$OUT/images.tsv.new"
  # The manifest keeps the images not built this time.
  if [[ -f "$OUT/images.tsv" ]]; then
    awk -F'\t' 'NR == FNR {seen[$1] = 1; print; next} !($1 in seen)' "$OUT/images.tsv.new" \
      "$OUT/images.tsv" > "$OUT/images.tsv.tmp"
    mv "$OUT/images.tsv.tmp" "$OUT/images.tsv.new"
  fi
  mv "$OUT/images.tsv.new" "$OUT/images.tsv"
}

import() { # socket names...
  local socket="$1"; shift
  need ctr "apt-get install containerd"
  [[ -S "$socket" ]] || fail "no containerd socket at $socket"
  build_all "$@"
  local present name ref start
  # Imported means the same manifest, unpacked for this snapshotter (what the CRI plugin runs).
  present=$(ctr --address "$socket" --namespace k8s.io images check --snapshotter "$SNAPSHOTTER" |
    awk 'NR > 1 && $NF == "true" {print $1, $3}')
  for name in "$@"; do
    ref=$(ref_of "$name") start=$SECONDS
    if grep -qxF "$ref ${DIGEST[$name]}" <<< "$present"; then
      log "$ref already imported (${DIGEST[$name]:7:12})"
      continue
    fi
    # The layout's tag is the reference's tag; --base-name prefixes the repository.
    ctr --address "$socket" --namespace k8s.io images import --base-name "${ref%:*}" \
      --snapshotter "$SNAPSHOTTER" "${ARCHIVE[$name]}" | sed 's/^/[images]   /' >&2
    # The list is read whole: grep -q stopping early would fail the pipe (pipefail, SIGPIPE).
    ctr --address "$socket" --namespace k8s.io images ls -q > "$OUT/imported.txt"
    grep -qxF "$ref" "$OUT/imported.txt" || fail "ctr imported ${ARCHIVE[$name]} but no $ref"
    log "$ref imported in $((SECONDS - start))s (${DIGEST[$name]:7:12}, snapshotter $SNAPSHOTTER)"
  done
}

env_lines() {
  local name var
  for name in "${NAMES[@]}"; do
    var="${name//-/_}"; var="${var^^}_IMAGE"
    echo "$var=${!var}"
  done
}

# images.env is read by scripts and tests without this script: it must say what this builds.
check_env_file() {
  local file="$HERE/images/images.env"
  diff <(grep -v '^#' "$file") <(env_lines) >&2 ||
    fail "$file is out of date: bash $0 env > $file"
}

select_images() { # names... -> $selected: the arguments, or every image; unknown names fail
  selected=("$@")
  (( $# )) || selected=("${NAMES[@]}")
  local name
  for name in "${selected[@]}"; do
    [[ " ${NAMES[*]} " == *" $name "* ]] || fail "unknown image $name (images: ${NAMES[*]})"
  done
}

command="${1:-}"
shift || true
case "$command" in
  build)
    select_images "$@"
    build_all "${selected[@]}"
    for name in "${selected[@]}"; do echo "$name $(ref_of "$name") ${ARCHIVE[$name]}"; done ;;
  import)
    [[ $# -ge 1 ]] || fail "usage: images.sh import <containerd socket> [names...]"
    socket="$1"; shift
    select_images "$@"
    import "$socket" "${selected[@]}" ;;
  list) for name in "${NAMES[@]}"; do echo "$name $(ref_of "$name")"; done ;;
  env) echo "# Written by images.sh env: the images it builds, for scripts and tests"; env_lines ;;
  *) fail "usage: images.sh build|import <socket>|list|env [names...]" ;;
esac
