package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.POLICY;
import static io.traceroll.operator.tempo.TempoFixtures.keys;
import static io.traceroll.operator.tempo.TempoFixtures.render;
import static io.traceroll.operator.tempo.TempoFixtures.s3Tempo;
import static io.traceroll.operator.tempo.TempoFixtures.tempoWith;
import static io.traceroll.operator.tempo.TempoFixtures.withGenerator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tempo.yaml as a whole: its sections, server and retention, and that equal specs render equal
 * text. The receivers, the storage and the metrics generator have classes of their own.
 */
class TempoConfigRendererTest {

  @Test
  void rendersTheDefaultsForAVolumeBackedTempo() throws Exception {
    JsonNode config = render(new TempoBackend());

    assertThat(config.at("/server/http_listen_port").asInt()).isEqualTo(3200);
    assertThat(config.at("/compactor/compaction/block_retention").asText()).isEqualTo("168h");
    assertThat(config.at("/storage/trace/backend").asText()).isEqualTo("local");
    assertThat(config.at("/storage/trace/local/path").asText()).isEqualTo("/var/tempo/blocks");
    assertThat(config.at("/storage/trace/wal/path").asText()).isEqualTo("/var/tempo/wal");
    assertThat(config.at("/usage_report/reporting_enabled").asBoolean(true)).isFalse();
    assertThat(config.has("metrics_generator")).isFalse();
    assertThat(config.has("overrides")).isFalse();
  }

  @Test
  void rendersOnlyTheTopLevelSectionsTempoNeeds() throws Exception {
    assertThat(keys(render(new TempoBackend())))
        .containsExactlyInAnyOrder(
            "stream_over_http_enabled",
            "server",
            "distributor",
            "ingester",
            "compactor",
            "storage",
            "usage_report");
  }

  @Test
  void listensForTheApiOnPort3200() throws Exception {
    JsonNode server = render(new TempoBackend()).get("server");
    assertThat(server.get("http_listen_port").isInt()).isTrue();
    assertThat(server.get("http_listen_port").intValue()).isEqualTo(3200);
    assertThat(server.get("grpc_listen_port").intValue()).isEqualTo(TempoPorts.GRPC_INTERNAL);
  }

  @ParameterizedTest
  @ValueSource(strings = {"24h", "720h"})
  void retentionIsCopiedVerbatimFromTheSpec(String retention) throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setRetention(retention);
    JsonNode compaction = render(tempo).at("/compactor/compaction");
    assertThat(compaction.get("block_retention").isTextual()).isTrue();
    assertThat(compaction.get("block_retention").textValue()).isEqualTo(retention);
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void usageReportingIsAlwaysOff(StorageType type) throws Exception {
    JsonNode enabled = render(tempoWith(type)).at("/usage_report/reporting_enabled");
    assertThat(enabled.isBoolean()).isTrue();
    assertThat(enabled.booleanValue()).isFalse();
  }

  @Test
  void equalSpecsRenderIdenticalText() {
    TempoBackend a = s3Tempo();
    TempoBackend b = s3Tempo();
    for (TempoBackend tempo : List.of(a, b)) {
      withGenerator(tempo);
      tempo.setReceivers(new ArrayList<>(EnumSet.allOf(Receiver.class)));
    }
    String first = TempoConfigRenderer.render(a, POLICY);
    assertThat(TempoConfigRenderer.render(b, POLICY)).isEqualTo(first);
    assertThat(TempoConfigRenderer.render(a, POLICY)).isEqualTo(first);
  }
}
