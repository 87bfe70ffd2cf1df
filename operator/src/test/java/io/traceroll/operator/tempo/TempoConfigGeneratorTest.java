package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.YAML;
import static io.traceroll.operator.tempo.TempoFixtures.generator;
import static io.traceroll.operator.tempo.TempoFixtures.keys;
import static io.traceroll.operator.tempo.TempoFixtures.policy;
import static io.traceroll.operator.tempo.TempoFixtures.render;
import static io.traceroll.operator.tempo.TempoFixtures.s3Tempo;
import static io.traceroll.operator.tempo.TempoFixtures.textValues;
import static io.traceroll.operator.tempo.TempoFixtures.withGenerator;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.v1alpha1.BasicAuthSecret;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.TempoBackend;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tempo's metrics generator in tempo.yaml: processors, labels, remote write and its credentials.
 */
class TempoConfigGeneratorTest {

  @Test
  void withoutAMetricsGeneratorThereIsNoGeneratorNorOverrides() throws Exception {
    JsonNode config = render(s3Tempo());
    assertThat(config.has("metrics_generator")).isFalse();
    assertThat(config.has("overrides")).isFalse();
  }

  @Test
  void metricsGeneratorDefaultsToBothProcessorsWithExemplars() throws Exception {
    JsonNode config = render(withGenerator());

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
  void metricsGeneratorRemoteWritesAndEnablesTheChosenProcessors() throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setMetricsGenerator(
        generator("http://prometheus:9090/api/v1/write", MetricsProcessor.SPAN_METRICS));
    tempo.getMetricsGenerator().setExemplars(false);
    JsonNode config = render(tempo);

    JsonNode write = config.at("/metrics_generator/storage/remote_write/0");
    assertThat(write.path("url").asText()).isEqualTo("http://prometheus:9090/api/v1/write");
    assertThat(write.path("send_exemplars").asBoolean(true)).isFalse();
    assertThat(config.at("/overrides/defaults/metrics_generator/processors"))
        .extracting(JsonNode::asText)
        .containsExactly("span-metrics");
  }

  @Test
  void metricsGeneratorListsOnlyTheChosenProcessor() throws Exception {
    TempoBackend tempo = new TempoBackend();
    tempo.setMetricsGenerator(
        generator("https://mimir.example/api/v1/push", MetricsProcessor.SERVICE_GRAPHS));

    assertThat(render(tempo).at("/overrides/defaults/metrics_generator/processors"))
        .extracting(JsonNode::asText)
        .containsExactly("service-graphs");
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
  void theProcessorsAreEnabledInTheNewOverridesFormatOnly() throws Exception {
    JsonNode overrides = render(withGenerator()).get("overrides");
    assertThat(keys(overrides)).containsExactly("defaults");
    assertThat(keys(overrides.get("defaults"))).containsExactly("metrics_generator");
    assertThat(keys(overrides.at("/defaults/metrics_generator"))).containsExactly("processors");
  }

  @Test
  void generatedSeriesCarryTheSourceThePolicyAndTheUsersLabels() throws Exception {
    TempoBackend tempo = withGenerator();
    JsonNode labels = render(tempo).at("/metrics_generator/registry/external_labels");
    assertThat(keys(labels)).containsExactly("source", "traceroll_policy");
    assertThat(labels.get("source").asText()).isEqualTo("tempo");
    assertThat(labels.get("traceroll_policy").asText()).isEqualTo("obs/default");

    tempo.getMetricsGenerator().setExternalLabels(new LinkedHashMap<>());
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
  void renderingAPolicyLabelsItsNamespaceAndName() throws Exception {
    JsonNode config = YAML.readTree(TempoConfigRenderer.render(policy(withGenerator())));
    assertThat(config.at("/metrics_generator/registry/external_labels/traceroll_policy").asText())
        .isEqualTo("obs/default");
  }

  @Test
  void remoteWriteWithoutASecretSendsNoCredentials() throws Exception {
    JsonNode write = render(withGenerator()).at("/metrics_generator/storage/remote_write/0");
    assertThat(keys(write)).containsExactly("send_exemplars", "url");
  }

  @Test
  void remoteWriteBasicAuthReadsTheMountedSecretFilesAndNamesNoSecret() throws Exception {
    TempoBackend tempo = withGenerator();
    BasicAuthSecret auth = new BasicAuthSecret();
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
}
