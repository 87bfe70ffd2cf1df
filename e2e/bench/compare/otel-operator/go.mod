// Wrapper module that builds the OpenTelemetry Operator (Apache-2.0) from its published Go module
// for make bench-compare: see build.sh. Nothing of it is vendored here.
module traceroll.local/otelopbuild

go 1.26.3

require github.com/open-telemetry/opentelemetry-operator v0.153.0

// The operator's go.mod maps its apis module to ./apis, a directory its module zip does not
// carry; the apis module is published under the same tag.
replace github.com/open-telemetry/opentelemetry-operator/apis v0.0.0-unpublished => github.com/open-telemetry/opentelemetry-operator/apis v0.153.0
