package io.traceroll.e2e;

import static io.traceroll.e2e.GatewayConfigs.headersEnv;
import static io.traceroll.e2e.GatewayConfigs.otlp;
import static io.traceroll.e2e.GatewayConfigs.renderForJaeger;
import static io.traceroll.e2e.GatewayConfigs.tempo;
import static io.traceroll.e2e.GatewayConfigs.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.e2e.traces.CollectorProcess;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tail-sampling gateway's config as the operator renders it, checked by a real collector:
 * Jaeger v2 is an OpenTelemetry Collector build whose tail_sampling processor, OTLP receiver and
 * exporters, batch and memory_limiter come from the same collector-contrib release the default
 * gateway image is. It needs no cluster. {@link GatewayTailSamplingE2eTest} runs the config.
 */
class GatewayConfigE2eTest {

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("tempo over gRPC, defaults", tempo(tail -> {})),
        Arguments.of(
            "tempo over OTLP/HTTP, latency rule",
            tempo(tail -> tail.setLatencyThreshold("1m30s"), Receiver.OTLP_HTTP)),
        Arguments.of(
            "no error rule, ratio 0",
            tempo(
                tail -> {
                  tail.setKeepErrors(false);
                  tail.setRatio(0.0);
                  tail.setDecisionWait("1h");
                  tail.setNumTraces(1);
                })),
        Arguments.of(
            "external gRPC over TLS with headers",
            otlp("https://otlp.vendor.example:443", OtlpProtocol.GRPC, "vendor-key")),
        Arguments.of(
            "external OTLP/HTTP in cluster",
            otlp("http://collector.obs.svc:4318/otlp", OtlpProtocol.HTTP_PROTOBUF, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void theCollectorAcceptsTheRenderedConfig(String variant, TracingPolicy policy) throws Exception {
    Path config = write(renderForJaeger(policy));

    CollectorProcess.Result result =
        CollectorProcess.run(headersEnv(policy), "validate", "--config=file:" + config);

    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  /** Shows that validate reads the processor's settings, so passing it means something. */
  @Test
  void validationRefusesAMisspelledTailSamplingSetting() throws Exception {
    ObjectNode config = renderForJaeger(tempo(tail -> tail.setLatencyThreshold("2s")));
    ObjectNode latency = (ObjectNode) config.at("/processors/tail_sampling/policies/1/latency");
    latency.set("threshold_msec", latency.remove("threshold_ms"));

    CollectorProcess.Result result =
        CollectorProcess.run(Map.of(), "validate", "--config=file:" + write(config));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("threshold_msec");
  }

  @Test
  void headersInTheAgentsFormatReachTheExporterAsHeaders() throws Exception {
    TracingPolicy policy = otlp("https://otlp.vendor.example:443", OtlpProtocol.GRPC, "key");
    Path config = write(renderForJaeger(policy));

    CollectorProcess.Result result =
        CollectorProcess.run(headersEnv(policy), "print-config", "--config=file:" + config);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("name: api-key")
        .contains("name: x-tenant")
        .doesNotContain("s3cr");
  }
}
