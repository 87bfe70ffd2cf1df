package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.POLICY;
import static io.traceroll.operator.tempo.TempoFixtures.keys;
import static io.traceroll.operator.tempo.TempoFixtures.render;
import static io.traceroll.operator.tempo.TempoFixtures.withReceivers;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TempoBackend;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The distributor's receivers in tempo.yaml: exactly the ones the spec selects. */
class TempoConfigReceiversTest {

  @Test
  void rendersOnlyTheEnabledReceivers() throws Exception {
    JsonNode receivers =
        render(withReceivers(Receiver.OTLP_HTTP, Receiver.ZIPKIN)).at("/distributor/receivers");

    assertThat(receivers.at("/otlp/protocols/http/endpoint").asText()).isEqualTo("0.0.0.0:4318");
    assertThat(receivers.at("/otlp/protocols").has("grpc")).isFalse();
    assertThat(receivers.at("/zipkin/endpoint").asText()).isEqualTo("0.0.0.0:9411");
    assertThat(receivers.has("jaeger")).isFalse();

    receivers =
        render(withReceivers(Receiver.OTLP_GRPC, Receiver.JAEGER)).at("/distributor/receivers");
    assertThat(receivers.at("/otlp/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(receivers.at("/jaeger/protocols/thrift_http/endpoint").asText())
        .isEqualTo("0.0.0.0:14268");
    assertThat(receivers.at("/jaeger/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:14250");
    assertThat(receivers.has("zipkin")).isFalse();
  }

  @Test
  void rendersBothOtlpProtocolsForTheDefaultReceivers() throws Exception {
    JsonNode receivers = render(new TempoBackend()).at("/distributor/receivers");
    assertThat(keys(receivers)).containsExactly("otlp");
    assertThat(keys(receivers.at("/otlp/protocols"))).containsExactlyInAnyOrder("grpc", "http");
    assertThat(receivers.at("/otlp/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(receivers.at("/otlp/protocols/http/endpoint").asText()).isEqualTo("0.0.0.0:4318");
  }

  @Test
  void rendersEveryProtocolWhenEveryReceiverIsSelected() throws Exception {
    JsonNode receivers =
        render(
                withReceivers(
                    Receiver.ZIPKIN, Receiver.JAEGER, Receiver.OTLP_HTTP, Receiver.OTLP_GRPC))
            .at("/distributor/receivers");

    assertThat(keys(receivers)).containsExactlyInAnyOrder("otlp", "jaeger", "zipkin");
    assertThat(keys(receivers.at("/otlp/protocols"))).containsExactlyInAnyOrder("grpc", "http");
    assertThat(keys(receivers.at("/jaeger/protocols")))
        .containsExactlyInAnyOrder("thrift_http", "grpc");
    assertThat(receivers.at("/jaeger/protocols/thrift_http/endpoint").asText())
        .isEqualTo("0.0.0.0:14268");
    assertThat(receivers.at("/jaeger/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:14250");
    assertThat(keys(receivers.get("zipkin"))).containsExactly("endpoint");
    assertThat(receivers.at("/zipkin/endpoint").asText()).isEqualTo("0.0.0.0:9411");
  }

  @ParameterizedTest
  @EnumSource(Receiver.class)
  void aSingleReceiverRendersOnlyItsOwnProtocols(Receiver receiver) throws Exception {
    Map<Receiver, Map<String, Set<String>>> expected =
        Map.of(
            Receiver.OTLP_GRPC, Map.of("otlp", Set.of("grpc")),
            Receiver.OTLP_HTTP, Map.of("otlp", Set.of("http")),
            Receiver.JAEGER, Map.of("jaeger", Set.of("thrift_http", "grpc")),
            Receiver.ZIPKIN, Map.of("zipkin", Set.of()));
    JsonNode receivers = render(withReceivers(receiver)).at("/distributor/receivers");

    assertThat(keys(receivers)).isEqualTo(expected.get(receiver).keySet());
    for (var entry : expected.get(receiver).entrySet()) {
      JsonNode protocols = receivers.get(entry.getKey()).path("protocols");
      if (entry.getValue().isEmpty()) {
        assertThat(protocols.isMissingNode()).isTrue();
      } else {
        assertThat(keys(protocols)).isEqualTo(entry.getValue());
      }
    }
  }

  @Test
  void everyReceiverEndpointListensOnAllInterfaces() throws Exception {
    JsonNode receivers = render(withReceivers(Receiver.values())).at("/distributor/receivers");
    List<String> endpoints = receivers.findValuesAsText("endpoint");
    assertThat(endpoints)
        .containsExactlyInAnyOrder(
            "0.0.0.0:4317", "0.0.0.0:4318", "0.0.0.0:14268", "0.0.0.0:14250", "0.0.0.0:9411");
  }

  @Test
  void theOrderOfTheReceiversDoesNotChangeTheRendering() {
    assertThat(
            TempoConfigRenderer.render(withReceivers(Receiver.ZIPKIN, Receiver.OTLP_GRPC), POLICY))
        .isEqualTo(
            TempoConfigRenderer.render(withReceivers(Receiver.OTLP_GRPC, Receiver.ZIPKIN), POLICY));
  }
}
