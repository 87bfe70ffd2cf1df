package io.traceroll.e2e;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the real API server refuses at apply time by the CRD's schema and CEL rules: each spec with
 * the field the error names and what it says.
 */
class CrdRefusalsE2eTest extends CrdE2eBase {

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of(
            "a ratio above one",
            otlpSpec("sampling: {default: {ratio: 1.5}}"),
            "spec.sampling.default.ratio",
            "less than or equal to 1"),
        Arguments.of(
            "two backends",
            """
            spec:
              backend:
                otlpEndpoint: {endpoint: "http://collector:4317"}
                tempo: {storage: {type: memory}}
            """,
            "spec.backend",
            "exactly one of backend.tempo or backend.otlpEndpoint must be set"),
        Arguments.of(
            "no backend",
            "spec: {sampling: {default: {ratio: 0.5}}}",
            "spec.backend",
            "Required value"),
        Arguments.of(
            "S3 without a bucket",
            """
            spec:
              backend:
                tempo:
                  storage: {type: s3, s3: {credentialsSecret: {name: creds}}}
            """,
            "spec.backend.tempo.storage.s3.bucket",
            "Required value"),
        Arguments.of(
            "storage type s3 without S3 settings",
            """
            spec:
              backend:
                tempo:
                  storage: {type: s3}
            """,
            "spec.backend.tempo.storage.s3",
            "storage.type s3 needs storage.s3 with a bucket"),
        Arguments.of(
            "a service with both a ratio and a rate limit",
            otlpSpec(
                """
                sampling:
                  services: [{service: checkout, ratio: 0.5, maxTracesPerSecond: 3}]
                """),
            "spec.sampling.services[0]",
            "set exactly one of ratio or maxTracesPerSecond"),
        Arguments.of(
            "per-operation ratios under a rate limit",
            otlpSpec(
                """
                sampling:
                  services:
                    - service: search
                      maxTracesPerSecond: 3
                      operations: [{name: "GET /healthz", ratio: 0.0}]
                """),
            "spec.sampling.services[0]",
            "per-operation ratios need a ratio for the service"),
        Arguments.of(
            "a fractional rate limit",
            otlpSpec(
                """
                sampling:
                  services: [{service: search, maxTracesPerSecond: 0.5}]
                """),
            "spec.sampling.services[0].maxTracesPerSecond",
            "integer"),
        Arguments.of(
            "a malformed duration",
            """
            spec:
              backend: {tempo: {retention: "7 days"}}
            """,
            "spec.backend.tempo.retention",
            "should match"),
        Arguments.of(
            "a zero latency threshold",
            otlpSpec("sampling: {tail: {latencyThreshold: 0s}}"),
            "spec.sampling.tail.latencyThreshold",
            "0 would keep every trace"),
        Arguments.of(
            "a tail ratio above one",
            otlpSpec("sampling: {tail: {ratio: 2}}"),
            "spec.sampling.tail.ratio",
            "less than or equal to 1"),
        Arguments.of(
            "a generator label that is not a Prometheus label name (a dot)",
            generatorLabels("{k8s.cluster: prod}"),
            "spec.backend.tempo.metricsGenerator.externalLabels",
            "must be Prometheus label names"),
        Arguments.of(
            "a generator label that is not a Prometheus label name (reserved __)",
            generatorLabels("{__name__: x}"),
            "spec.backend.tempo.metricsGenerator.externalLabels",
            "must be Prometheus label names"));
  }

  @ParameterizedTest(name = "refuses {0}")
  @MethodSource("refusals")
  void refusesWhatTheSchemaAndRulesForbid(
      String what, String specYaml, String field, String message) {
    assertRefused(specYaml, field, message);
  }

  /** A memory-backed Tempo whose metrics generator carries these external labels. */
  static String generatorLabels(String labels) {
    return """
        spec:
          backend:
            tempo:
              storage: {type: memory}
              metricsGenerator:
                remoteWriteUrl: http://prometheus:9090/api/v1/write
                externalLabels: %s
        """
        .formatted(labels);
  }
}
