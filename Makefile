# Traceroll developer entry points. `make demo` and `make test` are the two commands a fresh
# machine needs; everything they use is built or fetched by the project itself.
SHELL := /bin/bash
MVN := ./mvnw -B -q
CRD := tracingpolicies.traceroll.io-v1.yml

.PHONY: help test unit build crds demo demo-down cluster-up cluster-down bench bench-apiserver bench-process bench-rollout bench-scale bench-sampling bench-telemetry bench-compare

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: ## the whole suite: unit, mock-server and e2e tests (starts and stops its own local cluster)
	bash e2e/run-tests.sh

unit: ## unit and mock-server tests only (no cluster; fetches the workload corpus if it can)
	bash e2e/corpus/fetch.sh > /dev/null || echo "[unit] workload corpus not fetched (e2e/corpus/fetch.sh needs go and the Go module proxy): CorpusDecisionTest reads what is present, or is skipped" >&2
	$(MVN) install

build: ## build the operator jar (operator/target/traceroll-operator.jar) without tests
	$(MVN) install -DskipTests

crds: ## regenerate the CRD from the Java API, its committed copies and docs/reference.md
	$(MVN) install -DskipTests -pl crds
	cp crds/target/classes/META-INF/fabric8/$(CRD) crds/$(CRD)
	cp crds/target/classes/META-INF/fabric8/$(CRD) helm/traceroll/crds/$(CRD)
	cp crds/target/classes/META-INF/fabric8/$(CRD) bundle/manifests/$(CRD)
	cp crds/target/classes/META-INF/fabric8/$(CRD) deploy/base/$(CRD)
	$(MVN) surefire:test -pl crds -Dtest=FieldReferenceTest -Dreference.update=true

demo: ## local cluster + operator + sample policy and workload, left running
	bash e2e/local-cluster/demo.sh

demo-down: ## stop the demo operator and the demo cluster
	bash e2e/local-cluster/demo.sh down

cluster-up: ## start the local cluster only (prints its KUBECONFIG)
	bash e2e/local-cluster/up.sh

cluster-down: ## stop the local cluster
	bash e2e/local-cluster/down.sh

ADMISSIONLOAD ?= $(HOME)/.cache/traceroll/bin/admissionload

bench: ## webhook admission latency and throughput, Go HTTP/2 client (see docs/benchmarks.md)
	$(MVN) install -DskipTests -pl crds,webhook -am
	$(MVN) test-compile dependency:build-classpath -pl webhook -Dmdep.outputFile=target/bench.classpath
	cd e2e/bench/admissionload && CGO_ENABLED=0 go build -trimpath -o $(ADMISSIONLOAD) .
	ADMISSIONLOAD=$(ADMISSIONLOAD) java -cp webhook/target/test-classes:webhook/target/classes:$$(cat webhook/target/bench.classpath) \
	  io.traceroll.webhook.bench.AdmissionBenchmark $(BENCH_ARGS)

bench-sampling: ## sampling server gRPC throughput and latency (see docs/benchmarks.md)
	$(MVN) install -DskipTests -pl crds,webhook,operator -am
	$(MVN) test-compile dependency:build-classpath -pl operator -Dmdep.outputFile=target/bench.classpath
	java -cp operator/target/test-classes:operator/target/classes:$$(cat operator/target/bench.classpath) \
	  io.traceroll.operator.sampling.SamplingBenchmark $(BENCH_ARGS)

bench-telemetry: ## what admission metrics and self-tracing cost per admission (see docs/benchmarks.md)
	$(MVN) install -DskipTests -pl crds,webhook,operator -am
	$(MVN) test-compile dependency:build-classpath -pl operator -Dmdep.outputFile=target/bench.classpath
	cd operator && java -cp target/test-classes:target/classes:$$(cat target/bench.classpath) \
	  io.traceroll.operator.telemetry.AdmissionTelemetryBenchmark $(BENCH_ARGS)

bench-apiserver: ## pod-create latency through a local kube-apiserver with and without the webhook
	bash e2e/run-benchmark.sh io.traceroll.e2e.PodCreateBenchmark $(BENCH_ARGS)

bench-process: ## operator start, readiness, first mutated admission, idle RSS/threads/CPU (see docs/benchmarks.md)
	bash e2e/run-benchmark.sh io.traceroll.e2e.ProcessBenchmark $(BENCH_ARGS)

bench-rollout: ## time and operator CPU/memory to roll tracing out to 100 Deployments (maxConcurrent 10)
	bash e2e/run-benchmark.sh io.traceroll.e2e.RolloutBenchmark $(BENCH_ARGS)

bench-scale: ## operator at scale on KWOK: idle, P policies Ready, rollout, webhook load (BENCH_ARGS="<namespaces> <replicas> <policies>", default 1000 10 100)
	cd e2e/bench/admissionload && CGO_ENABLED=0 go build -trimpath -o $(ADMISSIONLOAD) .
	ADMISSIONLOAD=$(ADMISSIONLOAD) TRACEROLL_REAL_NODE=0 TRACEROLL_KCM_QPS=500 TRACEROLL_KCM_BURST=1000 \
	  bash e2e/run-benchmark.sh io.traceroll.e2e.ScaleBenchmark $(BENCH_ARGS)

bench-compare: ## Traceroll's webhook vs the OpenTelemetry Operator's on one API server (BENCH_ARGS=quick: smoke run, short: A/B of two builds in ~5 min; see docs/benchmarks.md)
	bash e2e/bench/compare/run.sh $(BENCH_ARGS)
