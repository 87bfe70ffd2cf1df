package io.traceroll.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.TestPolicies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayConfigRendererTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode render(TracingPolicy policy) throws Exception {
    return YAML.readTree(GatewayConfigRenderer.render(policy));
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void defaultsKeepErrorsAndATenthOfTheRestAndSendToTempoOverGrpc() throws Exception {
    JsonNode config = render(TestPolicies.tailSampledTempo());

    assertThat(config.at("/receivers/otlp/protocols/grpc/endpoint").asText())
        .isEqualTo("0.0.0.0:4317");
    assertThat(config.at("/receivers/otlp/protocols/http/endpoint").asText())
        .isEqualTo("0.0.0.0:4318");
    JsonNode tail = config.at("/processors/tail_sampling");
    assertThat(tail.path("decision_wait").asText()).isEqualTo("10s");
    assertThat(tail.path("num_traces").asInt()).isEqualTo(50000);
    JsonNode policies = tail.path("policies");
    assertThat(policies.findValuesAsText("name"))
        .containsExactly("keep-errors", "share-of-the-rest");
    assertThat(policies.get(0).path("type").asText()).isEqualTo("status_code");
    assertThat(texts(policies.get(0).at("/status_code/status_codes"))).containsExactly("ERROR");
    assertThat(policies.get(1).path("type").asText()).isEqualTo("probabilistic");
    assertThat(policies.get(1).at("/probabilistic/sampling_percentage").asDouble()).isEqualTo(10.0);

    JsonNode exporter = config.at("/exporters/otlp~1backend");
    assertThat(exporter.path("endpoint").asText()).isEqualTo("http://default-tempo.obs.svc:4317");
    assertThat(exporter.at("/tls/insecure").asBoolean()).isTrue();
    assertThat(exporter.has("headers")).isFalse();
    assertThat(config.path("exporters").size()).isEqualTo(1);
  }

  @Test
  void thePipelineLimitsMemoryThenSamplesThenBatches() throws Exception {
    JsonNode config = render(TestPolicies.tailSampledTempo());

    JsonNode traces = config.at("/service/pipelines/traces");
    assertThat(texts(traces.path("receivers"))).containsExactly("otlp");
    assertThat(texts(traces.path("processors")))
        .containsExactly("memory_limiter", "tail_sampling", "batch");
    assertThat(texts(traces.path("exporters"))).containsExactly("otlp/backend");
    assertThat(config.at("/processors/memory_limiter/limit_percentage").asInt()).isEqualTo(80);
    assertThat(config.at("/processors/memory_limiter/check_interval").asText()).isEqualTo("1s");
    assertThat(config.at("/processors").has("batch")).isTrue();
    assertThat(texts(config.at("/service/extensions"))).containsExactly("health_check");
    assertThat(config.at("/extensions/health_check/endpoint").asText()).isEqualTo("0.0.0.0:13133");
    assertThat(config.at("/service/telemetry/logs/level").asText()).isEqualTo("warn");
    assertThat(config.at("/service/telemetry/metrics/level").asText()).isEqualTo("none");
  }

  @Test
  void latencyThresholdAddsALatencyPolicyInMilliseconds() throws Exception {
    TracingPolicy policy = TestPolicies.tailSampledTempo();
    TailSampling tail = policy.getSpec().getSampling().getTail();
    tail.setLatencyThreshold("1m30s");
    tail.setRatio(0.05);
    tail.setDecisionWait("30s");
    tail.setNumTraces(1000);

    JsonNode tailConfig = render(policy).at("/processors/tail_sampling");

    assertThat(tailConfig.path("decision_wait").asText()).isEqualTo("30s");
    assertThat(tailConfig.path("num_traces").asInt()).isEqualTo(1000);
    JsonNode latency = tailConfig.path("policies").get(1);
    assertThat(latency.path("name").asText()).isEqualTo("keep-slow");
    assertThat(latency.path("type").asText()).isEqualTo("latency");
    assertThat(latency.at("/latency/threshold_ms").asLong()).isEqualTo(90_000);
    assertThat(
            tailConfig.path("policies").get(2).at("/probabilistic/sampling_percentage").asDouble())
        .isEqualTo(5.0);
  }

  @Test
  void withoutKeepErrorsOnlyTheShareRemains() throws Exception {
    TracingPolicy policy = TestPolicies.tailSampledTempo();
    policy.getSpec().getSampling().getTail().setKeepErrors(false);
    policy.getSpec().getSampling().getTail().setRatio(0.0);

    JsonNode policies = render(policy).at("/processors/tail_sampling/policies");

    assertThat(policies.size()).isEqualTo(1);
    assertThat(policies.get(0).path("type").asText()).isEqualTo("probabilistic");
    assertThat(policies.get(0).at("/probabilistic/sampling_percentage").asDouble()).isZero();
  }

  @Test
  void ratiosBecomeExactPercentages() throws Exception {
    for (double ratio : new double[] {0.1, 0.07, 0.333, 1.0}) {
      TracingPolicy policy = TestPolicies.tailSampledTempo();
      policy.getSpec().getSampling().getTail().setRatio(ratio);
      String yaml = GatewayConfigRenderer.render(policy);
      assertThat(yaml).doesNotContain("0000000");
    }
  }

  @Test
  void tempoWithoutGrpcReceiverGetsOtlpHttp() throws Exception {
    JsonNode config = render(TestPolicies.tailSampledTempo(Receiver.OTLP_HTTP));

    JsonNode exporter = config.at("/exporters/otlphttp~1backend");
    assertThat(exporter.path("endpoint").asText()).isEqualTo("http://default-tempo.obs.svc:4318");
    assertThat(exporter.at("/tls/insecure").asBoolean()).isTrue();
    assertThat(texts(config.at("/service/pipelines/traces/exporters")))
        .containsExactly("otlphttp/backend");
  }

  @Test
  void externalGrpcEndpointOverTlsKeepsTlsAndTakesHeadersFromTheEnvironment() throws Exception {
    JsonNode config =
        render(
            TestPolicies.tailSampledOtlp(
                "https://otlp.vendor.example:443", OtlpProtocol.GRPC, "key"));

    JsonNode exporter = config.at("/exporters/otlp~1backend");
    assertThat(exporter.path("endpoint").asText()).isEqualTo("https://otlp.vendor.example:443");
    assertThat(exporter.has("tls")).isFalse();
    assertThat(exporter.path("headers").asText()).isEqualTo("${env:TRACEROLL_OTLP_HEADERS}");
  }

  @Test
  void externalHttpEndpointUsesOtlpHttpAsGiven() throws Exception {
    JsonNode config =
        render(
            TestPolicies.tailSampledOtlp(
                "http://collector.obs.svc:4318", OtlpProtocol.HTTP_PROTOBUF, null));

    JsonNode exporter = config.at("/exporters/otlphttp~1backend");
    assertThat(exporter.path("endpoint").asText()).isEqualTo("http://collector.obs.svc:4318");
    assertThat(exporter.at("/tls/insecure").asBoolean()).isTrue();
    assertThat(exporter.has("headers")).isFalse();
    assertThat(
            GatewayConfigRenderer.sendsHeaders(
                TestPolicies.tailSampledOtlp("http://c:4318", OtlpProtocol.HTTP_PROTOBUF, null)))
        .isFalse();
  }

  @Test
  void theCredentialsNeverEnterTheConfig() {
    TracingPolicy policy =
        TestPolicies.tailSampledOtlp("https://v:443", OtlpProtocol.GRPC, "vendor-key");
    assertThat(GatewayConfigRenderer.render(policy)).doesNotContain("vendor-key");
    assertThat(GatewayConfigRenderer.sendsHeaders(policy)).isTrue();
  }
}
