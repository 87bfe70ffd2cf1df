package io.traceroll.operator.tempo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.operator.tempo.TempoPorts.NamedPort;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TempoPortsTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Kubernetes IANA_SVC_NAME: at most 15 lowercase alphanumerics or '-', with a letter. */
  static final String IANA_SVC_NAME = "^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$";

  @Test
  void theDefaultReceiversExposeTheApiAndBothOtlpPorts() {
    assertThat(TempoPorts.exposed(new TempoBackend().getReceivers()))
        .containsExactly(
            new NamedPort("http", 3200),
            new NamedPort("otlp-grpc", 4317),
            new NamedPort("otlp-http", 4318));
  }

  @Test
  void theApiPortIsAlwaysExposedFirst() {
    assertThat(TempoPorts.exposed(List.of())).containsExactly(new NamedPort("http", 3200));
    assertThat(TempoPorts.exposed(List.of(Receiver.ZIPKIN)).get(0))
        .isEqualTo(new NamedPort("http", 3200));
  }

  @Test
  void jaegerExposesThriftHttpAndGrpc() {
    assertThat(TempoPorts.exposed(List.of(Receiver.JAEGER)))
        .extracting(NamedPort::name, NamedPort::port)
        .containsExactly(
            tuple("http", 3200), tuple("jaeger-thrift", 14268), tuple("jaeger-grpc", 14250));
  }

  @Test
  void zipkinExposesOnlyItsOwnPort() {
    assertThat(TempoPorts.exposed(List.of(Receiver.ZIPKIN)))
        .extracting(NamedPort::port)
        .containsExactly(3200, 9411);
  }

  @Test
  void unselectedReceiversExposeNothing() {
    assertThat(TempoPorts.exposed(List.of(Receiver.OTLP_HTTP)))
        .extracting(NamedPort::port)
        .containsExactly(3200, 4318)
        .doesNotContain(4317, 14268, 14250, 9411);
  }

  @Test
  void everyReceiverTogetherExposesSixDistinctValidlyNamedPorts() {
    List<NamedPort> ports = TempoPorts.exposed(EnumSet.allOf(Receiver.class));
    assertThat(ports).hasSize(6);
    assertThat(ports).extracting(NamedPort::name).doesNotHaveDuplicates();
    assertThat(ports).extracting(NamedPort::port).doesNotHaveDuplicates();
    assertThat(ports)
        .extracting(NamedPort::port)
        .containsExactlyInAnyOrder(3200, 4317, 4318, 14268, 14250, 9411);
    assertThat(ports).allSatisfy(p -> assertThat(p.name()).matches(IANA_SVC_NAME));
    assertThat(ports).allSatisfy(p -> assertThat(p.port()).isBetween(1, 65535));
  }

  @Test
  void theOrderOfTheReceiversDoesNotChangeThePorts() {
    assertThat(TempoPorts.exposed(List.of(Receiver.ZIPKIN, Receiver.JAEGER, Receiver.OTLP_GRPC)))
        .isEqualTo(
            TempoPorts.exposed(List.of(Receiver.OTLP_GRPC, Receiver.JAEGER, Receiver.ZIPKIN)));
  }

  static Stream<Arguments> receiverSets() {
    return Stream.of(
        Arguments.of(List.of(Receiver.OTLP_GRPC)),
        Arguments.of(List.of(Receiver.OTLP_HTTP)),
        Arguments.of(List.of(Receiver.OTLP_GRPC, Receiver.OTLP_HTTP)),
        Arguments.of(List.of(Receiver.OTLP_HTTP, Receiver.JAEGER)),
        Arguments.of(List.of(Receiver.OTLP_GRPC, Receiver.ZIPKIN)),
        Arguments.of(List.copyOf(EnumSet.allOf(Receiver.class))));
  }

  /** The container and Service expose exactly the ports tempo.yaml listens on. */
  @ParameterizedTest
  @MethodSource("receiverSets")
  void exposedPortsMatchTheEndpointsInTempoYaml(List<Receiver> receivers) throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setReceivers(new ArrayList<>(receivers));
    JsonNode config = YAML.readTree(TempoConfigRenderer.render(tempo, "obs/default"));

    Set<Integer> listening =
        new TreeSet<>(
            config.at("/distributor/receivers").findValuesAsText("endpoint").stream()
                .map(e -> Integer.parseInt(e.substring(e.lastIndexOf(':') + 1)))
                .toList());
    listening.add(config.at("/server/http_listen_port").intValue());

    assertThat(TempoPorts.exposed(receivers))
        .extracting(NamedPort::port)
        .containsExactlyInAnyOrderElementsOf(listening);
  }
}
