#!/usr/bin/env bash
# Builds the OpenTelemetry Operator's manager (github.com/open-telemetry/opentelemetry-operator,
# Apache-2.0) for make bench-compare, from its published Go module through the module proxy (or
# the module cache, offline, once it holds the modules): nothing of it is vendored in this
# repository. The wrapper module beside this script requires the operator at the pinned version
# (its go.sum pins every dependency) and replaces the operator's local ./apis with the published
# apis module of the same tag. Built like upstream's `make manager`: CGO_ENABLED=0, -trimpath,
# -s -w and the version variables its Makefile sets, read from the module's versions.txt.
# The binary goes to ~/.cache/traceroll/bin/otel-operator-<version> and is built only when
# missing (or when this directory's files changed); prints its path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CACHE="${TRACEROLL_CACHE:-$HOME/.cache/traceroll}"
BIN="$CACHE/bin"
mod=github.com/open-telemetry/opentelemetry-operator
v=$(awk -v m="$mod" '$1 == "require" && $2 == m {print $3}' "$here/go.mod")
out="$BIN/otel-operator-$v"
sum=$(cat "$here/go.mod" "$here/go.sum" "$here/doc.go" "$here/build.sh" | sha256sum | cut -c1-16)
log() { echo "[otel-operator] $*" >&2; }

if [[ -x "$out" && "$(cat "$out.src" 2>/dev/null)" == "$sum" ]]; then
  log "$v cached"
  echo "$out"
  exit 0
fi

# Built in a copy under the cache: -mod=mod may touch go.sum, and the repository stays as it is.
work="$CACHE/build/otel-operator-$v"
mkdir -p "$BIN" "$work"
cp "$here/go.mod" "$here/go.sum" "$here/doc.go" "$work/"
cd "$work"
export CGO_ENABLED=0 GOFLAGS=-mod=mod
moddir=$(go mod download -json "$mod@$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
[[ -f "$moddir/versions.txt" ]] || { log "no versions.txt in $moddir"; exit 1; }
ver() { awk -F= -v k="$1" '$1 == k {print $2}' "$moddir/versions.txt"; }
P=$mod/internal/version
ld="-s -w -X $P.version=${v#v} -X $P.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ld+=" -X $P.otelCol=$(ver opentelemetry-collector) -X $P.targetAllocator=$(ver targetallocator)"
ld+=" -X $P.operatorOpAMPBridge=$(ver operator-opamp-bridge)"
ld+=" -X $P.autoInstrumentationJava=$(ver autoinstrumentation-java)"
ld+=" -X $P.autoInstrumentationNodeJS=$(ver autoinstrumentation-nodejs)"
ld+=" -X $P.autoInstrumentationPython=$(ver autoinstrumentation-python)"
ld+=" -X $P.autoInstrumentationDotNet=$(ver autoinstrumentation-dotnet)"
ld+=" -X $P.autoInstrumentationGo=$(ver autoinstrumentation-go)"
ld+=" -X $P.autoInstrumentationApacheHttpd=$(ver autoinstrumentation-apache-httpd)"
ld+=" -X $P.autoInstrumentationNginx=$(ver autoinstrumentation-nginx)"
log "building $mod $v (the first time downloads its modules and takes minutes)"
start=$SECONDS
go build -trimpath -ldflags "$ld" -o "$out.tmp" "$mod"
mv "$out.tmp" "$out"
echo "$sum" > "$out.src"
log "built $out in $((SECONDS - start))s"
echo "$out"
