#!/usr/bin/env bash
# Brings the corpus projects published as Go modules (see PROVENANCE.md) into a cache outside the
# repository, where the corpus tests read them: each listed file is copied byte for byte from the
# module's directory in the Go module cache to <cache>/<project>/<path in the module>. The Go
# module cache checks every module against go.sum's checksum database, which is the provenance
# check; each project also gets a MODULE file naming the module, version and checksum. Nothing
# fetched here is committed. Prints the cache directory.
set -euo pipefail
DEST="${TRACEROLL_CORPUS_DIR:-$HOME/.cache/traceroll/corpus}"

log() { echo "[corpus] $*" >&2; }

OTEL=github.com/open-telemetry/opentelemetry-operator@v0.153.0
ISTIO=istio.io/istio@v0.0.0-20260827124520-eed52ebb66ad
E2E=tests/e2e-instrumentation
# project | module@version | path in the module. Of the OpenTelemetry operator's instrumentation
# tests, each test's first app install: not the second steps that re-apply the same Deployment
# (02-install-app.yaml of the multicontainer tests), nor java-tls and nodejs-volume, whose my-java
# and my-nodejs repeat those of the java and nodejs tests.
FILES=(
  "otel-operator-e2e $OTEL $E2E/instrumentation-apache-httpd/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-apache-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-dotnet/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-dotnet-initcontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-dotnet-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-dotnet-musl/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-go/02-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-java/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-java-initcontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-java-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-java-other-ns/03-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nginx/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nginx-contnr-secctx/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nginx-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nodejs/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nodejs-initcontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-nodejs-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-python/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-python-initcontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-python-multicontainer/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-python-musl/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-python-specenv/00-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-sdk/01-install-app.yaml"
  "otel-operator-e2e $OTEL $E2E/instrumentation-sdk-initcontainer/01-install-app.yaml"
  "bookinfo $ISTIO samples/bookinfo/platform/kube/bookinfo.yaml"
  "istio-samples $ISTIO samples/bookinfo/platform/kube/bookinfo-db.yaml"
  "istio-samples $ISTIO samples/bookinfo/platform/kube/bookinfo-mysql.yaml"
  "istio-samples $ISTIO samples/bookinfo/platform/kube/bookinfo-ratings-v2.yaml"
  "istio-samples $ISTIO samples/httpbin/httpbin.yaml"
  "istio-samples $ISTIO samples/helloworld/helloworld.yaml"
  "istio-samples $ISTIO samples/curl/curl.yaml"
  "istio-samples $ISTIO samples/tcp-echo/tcp-echo.yaml"
  "istio-samples $ISTIO samples/grpc-echo/grpc-echo.yaml"
  "istio-addons $ISTIO samples/addons/prometheus.yaml"
  "istio-addons $ISTIO samples/addons/grafana.yaml"
  "istio-addons $ISTIO samples/addons/jaeger.yaml"
  "istio-addons $ISTIO samples/addons/kiali.yaml"
  "istio-addons $ISTIO samples/addons/loki.yaml"
)

# The module's directory in the module cache (downloaded and verified the first time), after
# checking that its LICENSE is Apache-2.0; its "module version checksum" line in $SUMS.
declare -A DIRS SUMS
module_dir() { # module@version
  [[ -n "${DIRS[$1]:-}" ]] && return
  local info dir
  # Outside any Go module, so no go.mod of ours is read or changed.
  if ! info=$(cd / && go mod download -json "$1" 2>&1); then
    echo "go mod download $1 failed (the Go module proxy must be reachable): $info" >&2
    exit 1
  fi
  dir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' <<< "$info")
  [[ -d "$dir" ]] || { echo "go mod download $1 gave no directory: $info" >&2; exit 1; }
  grep -q 'Apache License' "$dir/LICENSE" && grep -q 'Version 2.0' "$dir/LICENSE" ||
    { echo "$1: LICENSE is not Apache-2.0" >&2; exit 1; }
  DIRS[$1]="$dir"
  SUMS[$1]="${1%@*} ${1#*@} $(sed -n 's/.*"Sum": "\(.*\)".*/\1/p' <<< "$info")"
}

# Each project is written to <project>.tmp and then replaces <project>, so a project holds
# exactly the listed files, also after the list changes.
mkdir -p "$DEST"
declare -A BUILT
for entry in "${FILES[@]}"; do
  read -r project module path <<< "$entry"
  module_dir "$module"
  tmp="$DEST/$project.tmp"
  if [[ -z "${BUILT[$project]:-}" ]]; then
    rm -rf "$tmp"
    mkdir -p "$tmp"
    echo "${SUMS[$module]}" > "$tmp/MODULE"
    BUILT[$project]=1
  elif ! grep -qxF "${SUMS[$module]}" "$tmp/MODULE"; then
    echo "${SUMS[$module]}" >> "$tmp/MODULE"
  fi
  install -D -m 644 "${DIRS[$module]}/$path" "$tmp/$path"
done
for project in "${!BUILT[@]}"; do
  if diff -r -q "$DEST/$project.tmp" "$DEST/$project" > /dev/null 2>&1; then
    rm -rf "$DEST/$project.tmp"
  else
    rm -rf "$DEST/$project"
    mv "$DEST/$project.tmp" "$DEST/$project"
    log "$project: $(find "$DEST/$project" -name '*.yaml' | wc -l) file(s) from $(cut -d' ' -f1,2 "$DEST/$project/MODULE" | paste -sd, -)"
  fi
done
echo "$DEST"
