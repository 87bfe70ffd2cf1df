package io.traceroll.operator.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TempoConfigRendererTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode render(TempoBackend tempo) throws Exception {
    return YAML.readTree(TempoConfigRenderer.render(tempo));
  }

  static TempoBackend s3Tempo() {
    TempoBackend tempo = new TempoBackend();
    S3Storage s3 = new S3Storage();
    s3.setBucket("traces");
    s3.setEndpoint("minio.storage:9000");
    s3.setRegion("eu-west-1");
    s3.setInsecure(true);
    SecretKeys keys = new SecretKeys();
    keys.setName("creds");
    s3.setCredentialsSecret(keys);
    tempo.getStorage().setType(StorageType.S3);
    tempo.getStorage().setS3(s3);
    return tempo;
  }

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
  void rendersOnlyTheEnabledReceivers() throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setReceivers(new ArrayList<>(List.of(Receiver.OTLP_HTTP, Receiver.ZIPKIN)));
    JsonNode receivers = render(tempo).at("/distributor/receivers");

    assertThat(receivers.at("/otlp/protocols/http/endpoint").asText()).isEqualTo("0.0.0.0:4318");
    assertThat(receivers.at("/otlp/protocols").has("grpc")).isFalse();
    assertThat(receivers.at("/zipkin/endpoint").asText()).isEqualTo("0.0.0.0:9411");
    assertThat(receivers.has("jaeger")).isFalse();

    tempo.setReceivers(new ArrayList<>(List.of(Receiver.OTLP_GRPC, Receiver.JAEGER)));
    receivers = render(tempo).at("/distributor/receivers");
    assertThat(receivers.at("/otlp/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(receivers.at("/jaeger/protocols/thrift_http/endpoint").asText())
        .isEqualTo("0.0.0.0:14268");
    assertThat(receivers.at("/jaeger/protocols/grpc/endpoint").asText()).isEqualTo("0.0.0.0:14250");
    assertThat(receivers.has("zipkin")).isFalse();
  }

  @Test
  void retentionComesFromTheSpec() throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setRetention("24h");
    assertThat(render(tempo).at("/compactor/compaction/block_retention").asText()).isEqualTo("24h");
  }

  @Test
  void s3StorageReferencesCredentialsOnlyThroughTheEnvironment() throws Exception {
    TempoBackend tempo = s3Tempo();
    JsonNode trace = render(tempo).at("/storage/trace");

    assertThat(trace.at("/backend").asText()).isEqualTo("s3");
    assertThat(trace.at("/s3/bucket").asText()).isEqualTo("traces");
    assertThat(trace.at("/s3/endpoint").asText()).isEqualTo("minio.storage:9000");
    assertThat(trace.at("/s3/region").asText()).isEqualTo("eu-west-1");
    assertThat(trace.at("/s3/insecure").asBoolean()).isTrue();
    assertThat(trace.at("/s3/access_key").asText()).isEqualTo("${S3_ACCESS_KEY_ID}");
    assertThat(trace.at("/s3/secret_key").asText()).isEqualTo("${S3_SECRET_ACCESS_KEY}");
    assertThat(trace.has("local")).isFalse();
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isTrue();
    assertThat(TempoConfigRenderer.needsEnvExpansion(new TempoBackend())).isFalse();
  }

  @Test
  void metricsGeneratorRemoteWritesAndEnablesTheChosenProcessors() throws Exception {
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl("http://prometheus:9090/api/v1/write");
    generator.setProcessors(new ArrayList<>(List.of(MetricsProcessor.SPAN_METRICS)));
    generator.setExemplars(false);
    tempo.setMetricsGenerator(generator);
    JsonNode config = render(tempo);

    JsonNode write = config.at("/metrics_generator/storage/remote_write/0");
    assertThat(write.path("url").asText()).isEqualTo("http://prometheus:9090/api/v1/write");
    assertThat(write.path("send_exemplars").asBoolean(true)).isFalse();
    assertThat(config.at("/overrides/defaults/metrics_generator/processors"))
        .extracting(JsonNode::asText)
        .containsExactly("span-metrics");
  }

  @Test
  void renderingIsDeterministic() {
    assertThat(TempoConfigRenderer.render(s3Tempo()))
        .isEqualTo(TempoConfigRenderer.render(s3Tempo()));
  }
}
