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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TempoConfigRendererTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String POLICY = "obs/default";

  static JsonNode render(TempoBackend tempo) throws Exception {
    return YAML.readTree(TempoConfigRenderer.render(tempo, POLICY));
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

  static TempoBackend withGenerator() {
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl("http://prometheus.monitoring.svc:9090/api/v1/write");
    tempo.setMetricsGenerator(generator);
    return tempo;
  }

  @Test
  void theGeneratorOfASingleBinaryKeepsItsRingInMemoryAndItsWalOnTheDataVolume() throws Exception {
    JsonNode generator = render(withGenerator()).get("metrics_generator");

    // Tempo reads its config strictly: only these blocks, all known to Tempo 2.9.
    assertThat(keys(generator)).containsExactly("processor", "registry", "ring", "storage");
    assertThat(generator.at("/ring/kvstore/store").asText()).isEqualTo("inmemory");
    assertThat(generator.at("/storage/path").asText())
        .isEqualTo("/var/tempo/generator/wal")
        .startsWith(TempoConfigRenderer.DATA_DIR + "/");
    assertThat(keys(generator.get("storage"))).containsExactly("path", "remote_write");
  }

  @Test
  void bothProcessorsLabelTheirSeriesWithTheNamespace() throws Exception {
    JsonNode processor = render(withGenerator()).at("/metrics_generator/processor");

    assertThat(keys(processor)).containsExactly("service_graphs", "span_metrics");
    for (String name : List.of("service_graphs", "span_metrics")) {
      assertThat(processor.path(name).path("dimensions"))
          .extracting(JsonNode::asText)
          .containsExactly("k8s.namespace.name");
    }
  }

  @Test
  void generatedSeriesCarryTheSourceThePolicyAndTheUsersLabels() throws Exception {
    TempoBackend tempo = withGenerator();
    JsonNode labels = render(tempo).at("/metrics_generator/registry/external_labels");
    assertThat(keys(labels)).containsExactly("source", "traceroll_policy");
    assertThat(labels.get("source").asText()).isEqualTo("tempo");
    assertThat(labels.get("traceroll_policy").asText()).isEqualTo("obs/default");

    tempo.getMetricsGenerator().setExternalLabels(new java.util.LinkedHashMap<>());
    tempo.getMetricsGenerator().getExternalLabels().put("source", "tempo-eu");
    tempo.getMetricsGenerator().getExternalLabels().put("cluster", "prod");
    labels = render(tempo).at("/metrics_generator/registry/external_labels");
    assertThat(labels.get("cluster").asText()).isEqualTo("prod");
    assertThat(labels.get("source").asText()).isEqualTo("tempo-eu");
    assertThat(labels.get("traceroll_policy").asText()).isEqualTo("obs/default");
  }

  @Test
  void aNullExternalLabelsMapRendersTheDefaults() throws Exception {
    TempoBackend tempo = withGenerator();
    tempo.getMetricsGenerator().setExternalLabels(null);
    assertThat(keys(render(tempo).at("/metrics_generator/registry/external_labels")))
        .containsExactly("source", "traceroll_policy");
  }

  @Test
  void remoteWriteWithoutASecretSendsNoCredentials() throws Exception {
    JsonNode write = render(withGenerator()).at("/metrics_generator/storage/remote_write/0");
    assertThat(keys(write)).containsExactly("send_exemplars", "url");
  }

  @Test
  void remoteWriteBasicAuthReadsTheMountedSecretFilesAndNamesNoSecret() throws Exception {
    TempoBackend tempo = withGenerator();
    io.traceroll.api.v1alpha1.BasicAuthSecret auth =
        new io.traceroll.api.v1alpha1.BasicAuthSecret();
    auth.setName("prometheus-writer");
    auth.setUsernameKey("user");
    auth.setPasswordKey("pass");
    tempo.getMetricsGenerator().setBasicAuthSecret(auth);
    JsonNode config = render(tempo);

    JsonNode basicAuth = config.at("/metrics_generator/storage/remote_write/0/basic_auth");
    assertThat(keys(basicAuth)).containsExactly("password_file", "username_file");
    assertThat(basicAuth.get("username_file").asText())
        .isEqualTo("/var/run/traceroll/remote-write/username");
    assertThat(basicAuth.get("password_file").asText())
        .isEqualTo("/var/run/traceroll/remote-write/password");
    assertThat(textValues(config)).doesNotContain("prometheus-writer", "user", "pass");
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isFalse();
  }

  @Test
  void theProcessorsAreEnabledInTheNewOverridesFormatOnly() throws Exception {
    JsonNode overrides = render(withGenerator()).get("overrides");
    assertThat(keys(overrides)).containsExactly("defaults");
    assertThat(keys(overrides.get("defaults"))).containsExactly("metrics_generator");
    assertThat(keys(overrides.at("/defaults/metrics_generator"))).containsExactly("processors");
  }

  @Test
  void renderingAPolicyLabelsItsNamespaceAndName() throws Exception {
    io.traceroll.api.v1alpha1.TracingPolicy policy = TempoPodTemplateTest.policy(withGenerator());
    JsonNode config = YAML.readTree(TempoConfigRenderer.render(policy));
    assertThat(config.at("/metrics_generator/registry/external_labels/traceroll_policy").asText())
        .isEqualTo("obs/default");
  }

  @Test
  void renderingIsDeterministic() {
    assertThat(TempoConfigRenderer.render(s3Tempo(), POLICY))
        .isEqualTo(TempoConfigRenderer.render(s3Tempo(), POLICY));
  }

  static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  static TempoBackend withReceivers(Receiver... receivers) {
    TempoBackend tempo = new TempoBackend();
    tempo.setReceivers(new ArrayList<>(List.of(receivers)));
    return tempo;
  }

  /** Every text value anywhere in the document. */
  static List<String> textValues(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isValueNode()) {
      out.add(node.asText());
    }
    node.elements().forEachRemaining(child -> out.addAll(textValues(child)));
    return out;
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
    JsonNode receivers =
        render(
                withReceivers(
                    Receiver.OTLP_GRPC, Receiver.OTLP_HTTP, Receiver.JAEGER, Receiver.ZIPKIN))
            .at("/distributor/receivers");
    List<String> endpoints = receivers.findValuesAsText("endpoint");
    assertThat(endpoints)
        .containsExactlyInAnyOrder(
            "0.0.0.0:4317", "0.0.0.0:4318", "0.0.0.0:14268", "0.0.0.0:14250", "0.0.0.0:9411");
  }

  @ParameterizedTest
  @EnumSource(
      value = StorageType.class,
      names = {"PV", "MEMORY"})
  void volumeAndMemoryStorageKeepBlocksOnTheLocalDisk(StorageType type) throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.getStorage().setType(type);
    JsonNode trace = render(tempo).at("/storage/trace");

    assertThat(keys(trace)).containsExactlyInAnyOrder("backend", "local", "wal");
    assertThat(trace.get("backend").asText()).isEqualTo("local");
    assertThat(trace.at("/local/path").asText()).isEqualTo("/var/tempo/blocks");
    assertThat(trace.at("/wal/path").asText()).isEqualTo("/var/tempo/wal");
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isFalse();
  }

  @Test
  void s3StorageRendersBucketEndpointRegionAndInsecure() throws Exception {
    JsonNode trace = render(s3Tempo()).at("/storage/trace");

    assertThat(keys(trace)).containsExactlyInAnyOrder("backend", "s3", "wal");
    assertThat(keys(trace.get("s3")))
        .containsExactlyInAnyOrder(
            "bucket", "endpoint", "region", "insecure", "access_key", "secret_key");
    assertThat(trace.at("/s3/insecure").isBoolean()).isTrue();
  }

  @Test
  void s3WithoutARegionOmitsItAndUsesTheDefaultEndpointSecurely() throws Exception {
    TempoBackend tempo = s3Tempo();
    S3Storage s3 = tempo.getStorage().getS3();
    s3.setRegion(null);
    s3.setInsecure(false);
    s3.setEndpoint(new S3Storage().getEndpoint());
    JsonNode s3Config = render(tempo).at("/storage/trace/s3");

    assertThat(s3Config.has("region")).isFalse();
    assertThat(s3Config.get("endpoint").asText()).isEqualTo("s3.amazonaws.com");
    assertThat(s3Config.get("insecure").isBoolean()).isTrue();
    assertThat(s3Config.get("insecure").booleanValue()).isFalse();
  }

  @Test
  void s3CredentialsAreNeverWrittenLiterally() throws Exception {
    TempoBackend tempo = s3Tempo();
    SecretKeys keys = tempo.getStorage().getS3().getCredentialsSecret();
    keys.setName("tempo-s3-creds");
    keys.setAccessKeyIdKey("my-access-key-id");
    keys.setSecretAccessKeyKey("my-secret-access-key");
    JsonNode config = render(tempo);

    assertThat(config.at("/storage/trace/s3/access_key").asText()).isEqualTo("${S3_ACCESS_KEY_ID}");
    assertThat(config.at("/storage/trace/s3/secret_key").asText())
        .isEqualTo("${S3_SECRET_ACCESS_KEY}");
    assertThat(textValues(config))
        .doesNotContain("tempo-s3-creds", "my-access-key-id", "my-secret-access-key");
  }

  @Test
  void s3ValuesThatLookLikeNumbersOrBooleansKeepTheirText() throws Exception {
    TempoBackend tempo = s3Tempo();
    tempo.getStorage().getS3().setBucket("2024");
    tempo.getStorage().getS3().setRegion("no");
    JsonNode s3Config = render(tempo).at("/storage/trace/s3");

    // A numeric-looking bucket may be a plain scalar (Go's YAML decodes it into a string field
    // as written); a YAML 1.1 boolean word must be quoted or it would read back as false.
    assertThat(s3Config.get("bucket").asText()).isEqualTo("2024");
    assertThat(s3Config.get("region").isTextual()).isTrue();
    assertThat(s3Config.get("region").textValue()).isEqualTo("no");
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void onlyS3NeedsEnvironmentExpansion(StorageType type) {
    TempoBackend tempo = type == StorageType.S3 ? s3Tempo() : new TempoBackend();
    tempo.getStorage().setType(type);
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isEqualTo(type == StorageType.S3);
  }

  @Test
  void retentionIsCopiedVerbatimFromTheSpec() throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setRetention("720h");
    JsonNode compaction = render(tempo).at("/compactor/compaction");
    assertThat(compaction.get("block_retention").isTextual()).isTrue();
    assertThat(compaction.get("block_retention").textValue()).isEqualTo("720h");
  }

  @Test
  void withoutAMetricsGeneratorThereIsNoGeneratorNorOverrides() throws Exception {
    JsonNode config = render(s3Tempo());
    assertThat(config.has("metrics_generator")).isFalse();
    assertThat(config.has("overrides")).isFalse();
  }

  @Test
  void metricsGeneratorDefaultsToBothProcessorsWithExemplars() throws Exception {
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl("http://prometheus.monitoring.svc:9090/api/v1/write");
    tempo.setMetricsGenerator(generator);
    JsonNode config = render(tempo);

    JsonNode remoteWrite = config.at("/metrics_generator/storage/remote_write");
    assertThat(remoteWrite.isArray()).isTrue();
    assertThat(remoteWrite).hasSize(1);
    assertThat(remoteWrite.get(0).get("url").asText())
        .isEqualTo("http://prometheus.monitoring.svc:9090/api/v1/write");
    assertThat(remoteWrite.get(0).get("send_exemplars").isBoolean()).isTrue();
    assertThat(remoteWrite.get(0).get("send_exemplars").booleanValue()).isTrue();
    assertThat(config.at("/overrides/defaults/metrics_generator/processors"))
        .extracting(JsonNode::asText)
        .containsExactly("service-graphs", "span-metrics");
    assertThat(config.at("/metrics_generator/storage/path").asText())
        .startsWith(TempoConfigRenderer.DATA_DIR + "/");
  }

  @Test
  void metricsGeneratorListsOnlyTheChosenProcessor() throws Exception {
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl("https://mimir.example/api/v1/push");
    generator.setProcessors(new ArrayList<>(List.of(MetricsProcessor.SERVICE_GRAPHS)));
    tempo.setMetricsGenerator(generator);

    assertThat(render(tempo).at("/overrides/defaults/metrics_generator/processors"))
        .extracting(JsonNode::asText)
        .containsExactly("service-graphs");
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void usageReportingIsAlwaysOff(StorageType type) throws Exception {
    TempoBackend tempo = type == StorageType.S3 ? s3Tempo() : new TempoBackend();
    tempo.getStorage().setType(type);
    JsonNode enabled = render(tempo).at("/usage_report/reporting_enabled");
    assertThat(enabled.isBoolean()).isTrue();
    assertThat(enabled.booleanValue()).isFalse();
  }

  @Test
  void equalSpecsRenderIdenticalText() {
    TempoBackend a = s3Tempo();
    TempoBackend b = s3Tempo();
    for (TempoBackend tempo : List.of(a, b)) {
      MetricsGenerator generator = new MetricsGenerator();
      generator.setRemoteWriteUrl("http://prometheus:9090/api/v1/write");
      tempo.setMetricsGenerator(generator);
      tempo.setReceivers(new ArrayList<>(EnumSet.allOf(Receiver.class)));
    }
    String first = TempoConfigRenderer.render(a, POLICY);
    assertThat(TempoConfigRenderer.render(b, POLICY)).isEqualTo(first);
    assertThat(TempoConfigRenderer.render(a, POLICY)).isEqualTo(first);
  }

  @Test
  void theOrderOfTheReceiversDoesNotChangeTheRendering() {
    assertThat(
            TempoConfigRenderer.render(withReceivers(Receiver.ZIPKIN, Receiver.OTLP_GRPC), POLICY))
        .isEqualTo(
            TempoConfigRenderer.render(withReceivers(Receiver.OTLP_GRPC, Receiver.ZIPKIN), POLICY));
  }
}
