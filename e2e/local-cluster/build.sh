#!/usr/bin/env bash
# Builds the real control-plane binaries the e2e tests and `make demo` run, from Go modules,
# once per version, into a cache outside the repository. Nothing built here is committed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/versions.env"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
BIN="$CACHE/bin"
WORK="$CACHE/build"
mkdir -p "$BIN" "$WORK"
export CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { echo "[build] $*" >&2; }

# A throwaway module that requires k8s.io/kubernetes and maps each staging module to its
# published version, read from the tag's own go.mod.
# Control plane by default; `build_kubernetes kubelet kube-proxy` builds the real node's binaries
# from the same module (about a minute more once the control plane's packages are cached).
build_kubernetes() {
  local v="$K8S_VERSION" minor_patch="${K8S_VERSION#v1.}"
  local want=("${@:-kube-apiserver kube-controller-manager kube-scheduler kubectl}")
  want=(${want[@]})
  local missing=0
  for b in "${want[@]}"; do [[ -x "$BIN/$b-$v" ]] || missing=1; done
  [[ $missing == 0 ]] && { log "kubernetes $v ${want[*]} cached"; return; }
  local dir="$WORK/kubernetes-$v"
  mkdir -p "$dir" && cd "$dir"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local goline godebug
  goline=$(grep -m1 '^go ' "$gomod")
  godebug=$(grep -m1 '^godebug ' "$gomod" || true)
  {
    echo "module traceroll.local/kubebuild"
    echo "$goline"
    [[ -n "$godebug" ]] && echo "$godebug"
    echo "require k8s.io/kubernetes $v"
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/src/' "$gomod" |
      awk -v ver="v0.$minor_patch" '{print "replace " $1 " => " $1 " " ver}'
  } > go.mod
  echo 'package kubebuild' > doc.go
  local date ldflags pkgv
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local major=1 minor="${minor_patch%%.*}"
  ldflags="-s -w"
  for pkgv in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkgv.gitVersion=$v -X $pkgv.gitMajor=$major -X $pkgv.gitMinor=$minor"
    ldflags+=" -X $pkgv.gitTreeState=clean -X $pkgv.buildDate=$date"
  done
  for b in "${want[@]}"; do
    [[ -x "$BIN/$b-$v" ]] && continue
    log "building $b $v (first time takes minutes)"
    go build -trimpath -ldflags "$ldflags" -o "$BIN/$b-$v.tmp" "k8s.io/kubernetes/cmd/$b"
    mv "$BIN/$b-$v.tmp" "$BIN/$b-$v"
  done
}

# Wrapper module builds a main package of a module whose go.mod has replace lines.
# GO_LINE, GO_TAGS and GO_LDFLAGS (added to -s -w) may be set by the caller.
build_go_main() { # name version module package [replace...]
  local name="$1" v="$2" mod="$3" pkg="$4"; shift 4
  [[ -x "$BIN/$name-$v" ]] && { log "$name $v cached"; return; }
  local dir="$WORK/$name-$v"
  mkdir -p "$dir" && cd "$dir"
  { echo "module traceroll.local/${name}build"; echo "${GO_LINE:-go 1.24}"; echo "require $mod $v";
    for r in "$@"; do echo "replace $r"; done; } > go.mod
  echo "package ${name//-/}build" > doc.go
  log "building $name $v"
  local start=$SECONDS
  go build -trimpath -tags "${GO_TAGS:-}" -ldflags "-s -w ${GO_LDFLAGS:-}" \
    -o "$BIN/$name-$v.tmp" "$pkg"
  mv "$BIN/$name-$v.tmp" "$BIN/$name-$v"
  log "built $name $v in $((SECONDS - start))s"
}

# The replace directives of a module's own go.mod that point at published modules, one per
# line as "old [ver] => new ver", so a wrapper module resolves dependencies as the tag does.
# Directives that point at local paths inside the module cannot be copied and are reported.
upstream_replaces() { # module version
  local gomod
  gomod=$(go mod download -json "$1@$2" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  awk '
    /^replace[ \t]*\($/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    block || /^replace[ \t]/ {
      line = $0; sub(/^replace[ \t]+/, "", line); sub(/[ \t]*\/\/.*$/, "", line)
      sub(/^[ \t]+/, "", line)
      if (line == "") next
      split(line, parts, "=>"); target = parts[2]; sub(/^[ \t]+/, "", target)
      if (target ~ /^(\.|\/)/) { print "skipping local replace: " line > "/dev/stderr"; next }
      print line
    }' "$gomod"
}

# operator-sdk from its module: its own go line and replaces, the version it reports baked in,
# and the build tag that drops the gpgme (cgo) dependency of containers/image.
build_operator_sdk() {
  local v="$OPERATOR_SDK_VERSION" mod=github.com/operator-framework/operator-sdk
  [[ -x "$BIN/operator-sdk-$v" ]] && { log "operator-sdk $v cached"; return; }
  cd "$WORK" # outside any wrapper module an earlier target left us in
  local gomod replaces=()
  gomod=$(go mod download -json "$mod@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  mapfile -t replaces < <(upstream_replaces "$mod" "$v")
  log "operator-sdk $v: ${#replaces[@]} replace directive(s) copied from its go.mod"
  local pkgv="$mod/internal/version" kube ldflags
  kube=$(awk '$1 == "k8s.io/api" {sub(/^v0\./, "v1.", $2); print $2}' "$gomod")
  ldflags="-X $pkgv.Version=$v -X $pkgv.GitVersion=$v -X $pkgv.ImageVersion=$v"
  ldflags+=" -X $pkgv.KubernetesVersion=$kube"
  GO_LINE=$(grep -m1 '^go ' "$gomod") GO_TAGS=containers_image_openpgp GO_LDFLAGS="$ldflags" \
    build_go_main operator-sdk "$v" "$mod" "$mod/cmd/operator-sdk" ${replaces[@]+"${replaces[@]}"}
}

# cert-manager's controller and CA injector, and its CRDs. Upstream's commands (cmd/controller,
# cmd/cainjector) are separate Go modules that the module proxy cannot serve (their module paths
# do not match their directories), so a wrapper module requires the main module at the pinned
# version and builds our two small mains in cert-manager/ against its library packages. The
# binaries are rebuilt when those sources change (a checksum next to each binary). The CRDs are
# plain YAML in the module zip (deploy/crds); they are copied to $CACHE/cert-manager-crds-<v>.
build_cert_manager() {
  local v="$CERT_MANAGER_VERSION" mod=github.com/cert-manager/cert-manager
  local src="$HERE/cert-manager" sum crds="$CACHE/cert-manager-crds-$v"
  sum=$(cat "$src"/*/main.go | sha256sum | cut -c1-16)
  local b missing=0
  for b in controller cainjector; do
    [[ -x "$BIN/cert-manager-$b-$v" && "$(cat "$BIN/cert-manager-$b-$v.src" 2>/dev/null)" == "$sum" ]] ||
      missing=1
  done
  [[ $missing == 0 && -s "$crds/cert-manager.io_certificates.yaml" ]] &&
    { log "cert-manager $v cached"; return; }
  local dir="$WORK/cert-manager-$v"
  mkdir -p "$dir" && cd "$dir"
  local info gomod moddir replaces=()
  info=$(go mod download -json "$mod@$v")
  gomod=$(sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' <<< "$info")
  moddir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' <<< "$info")
  mapfile -t replaces < <(upstream_replaces "$mod" "$v")
  { echo "module traceroll.local/certmanagerbuild"; grep -m1 '^go ' "$gomod"; echo "require $mod $v"
    for r in ${replaces[@]+"${replaces[@]}"}; do echo "replace $r"; done; } > go.mod
  rm -rf controller cainjector && cp -r "$src/controller" "$src/cainjector" .
  local ldflags="-s -w -X $mod/pkg/util.AppVersion=$v"
  for b in controller cainjector; do
    log "building cert-manager-$b $v"
    local start=$SECONDS
    go build -trimpath -ldflags "$ldflags" -o "$BIN/cert-manager-$b-$v.tmp" "./$b"
    mv "$BIN/cert-manager-$b-$v.tmp" "$BIN/cert-manager-$b-$v"
    echo "$sum" > "$BIN/cert-manager-$b-$v.src"
    log "built cert-manager-$b $v in $((SECONDS - start))s"
  done
  mkdir -p "$crds"
  install -m 644 "$moddir"/deploy/crds/*.yaml "$crds/"
  log "cert-manager $v CRDs in $crds"
}

# OLM's two operators from one module, its version baked in as upstream's Makefile does: olm
# (cmd/olm: installs ClusterServiceVersions) and olm-catalog (cmd/catalog: resolves Subscriptions
# against catalogs and runs InstallPlans). OLM's CRDs are copied from the module
# (deploy/chart/crds) to $CACHE/olm-crds-<version>/, so the tests apply the CRDs of the OLM they
# run.
build_olm() {
  local v="$OLM_VERSION" mod=github.com/operator-framework/operator-lifecycle-manager
  local crds="$CACHE/olm-crds-$v"
  cd "$WORK"
  if [[ ! -d "$crds" ]]; then
    local dir
    dir=$(go mod download -json "$mod@$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$crds.tmp"
    cp "$dir"/deploy/chart/crds/*.yaml "$crds.tmp/"
    chmod u+w "$crds.tmp"/*.yaml
    mv "$crds.tmp" "$crds"
    log "olm $v: $(ls "$crds" | wc -l) CRDs copied to $crds"
  fi
  [[ -x "$BIN/olm-$v" && -x "$BIN/olm-catalog-$v" ]] && { log "olm $v cached"; return; }
  local gomod replaces=() commit
  gomod=$(go mod download -json "$mod@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  commit=$(go mod download -json "$mod@$v" | sed -n 's/.*"Hash": "\(.*\)".*/\1/p')
  mapfile -t replaces < <(upstream_replaces "$mod" "$v")
  log "olm $v: ${#replaces[@]} replace directive(s) copied from its go.mod"
  local cmd name
  for cmd in olm catalog; do
    name=olm; [[ $cmd == olm ]] || name="olm-$cmd"
    GO_LINE=$(grep -m1 '^go ' "$gomod") \
      GO_LDFLAGS="-X $mod/pkg/version.OLMVersion=$v -X $mod/pkg/version.GitCommit=${commit:-unknown}" \
      build_go_main "$name" "$v" "$mod" "$mod/cmd/$cmd" ${replaces[@]+"${replaces[@]}"}
    cd "$WORK"
  done
}

# opm (operator-registry) renders the bundle directory into a file-based catalog and serves it
# over gRPC, the registry a CatalogSource with spec.address points at.
build_opm() {
  local v="$OPM_VERSION" mod=github.com/operator-framework/operator-registry
  [[ -x "$BIN/opm-$v" ]] && { log "opm $v cached"; return; }
  cd "$WORK"
  local gomod replaces=() commit pkgv="$mod/cmd/opm/version"
  gomod=$(go mod download -json "$mod@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  commit=$(go mod download -json "$mod@$v" | sed -n 's/.*"Hash": "\(.*\)".*/\1/p')
  mapfile -t replaces < <(upstream_replaces "$mod" "$v")
  log "opm $v: ${#replaces[@]} replace directive(s) copied from its go.mod"
  # Upstream's tags minus json1 (cgo sqlite; only the deprecated sqlite catalogs need it).
  GO_LINE=$(grep -m1 '^go ' "$gomod") GO_TAGS=containers_image_openpgp \
    GO_LDFLAGS="-X $pkgv.opmVersion=$v -X $pkgv.gitCommit=${commit:-unknown}" \
    build_go_main opm "$v" "$mod" "$mod/cmd/opm" ${replaces[@]+"${replaces[@]}"}
}

# CoreDNS, the cluster DNS of the real node's pods (images.sh packs it). Its main package is the
# module root; its own go line and any replace directives are copied like operator-sdk's.
build_coredns() {
  local v="$COREDNS_VERSION" mod=github.com/coredns/coredns
  [[ -x "$BIN/coredns-$v" ]] && { log "coredns $v cached"; return; }
  cd "$WORK"
  local gomod replaces=()
  gomod=$(go mod download -json "$mod@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  mapfile -t replaces < <(upstream_replaces "$mod" "$v")
  GO_LINE=$(grep -m1 '^go ' "$gomod") \
    build_go_main coredns "$v" "$mod" "$mod" ${replaces[@]+"${replaces[@]}"}
}

targets=("${@:-kubernetes etcd kwok}")
for t in ${targets[@]}; do
  case "$t" in
    kubernetes) build_kubernetes ;;
    node) build_kubernetes kubelet kube-proxy ;;
    etcd) build_go_main etcd "$ETCD_VERSION" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 ;;
    kwok) build_go_main kwok "$KWOK_VERSION" sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok ;;
    jaeger) build_go_main jaeger "$JAEGER_VERSION" github.com/jaegertracing/jaeger \
              github.com/jaegertracing/jaeger/cmd/jaeger \
              "github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0" ;;
    helm) build_go_main helm "$HELM_VERSION" helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm ;;
    operator-sdk) build_operator_sdk ;;
    cert-manager) build_cert_manager ;;
    olm) build_olm ;;
    opm) build_opm ;;
    coredns) build_coredns ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done
echo "$BIN"
