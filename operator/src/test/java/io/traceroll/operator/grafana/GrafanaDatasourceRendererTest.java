package io.traceroll.operator.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.GrafanaDatasource;
import io.traceroll.api.v1alpha1.GrafanaIntegration;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GrafanaDatasourceRendererTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static TracingPolicy policy(String namespace, String name) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new TracingPolicySpec());
    policy.getMetadata().setName(name);
    policy.getMetadata().setNamespace(namespace);
    Backend backend = new Backend();
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl("http://prometheus.monitoring.svc:9090/api/v1/write");
    tempo.setMetricsGenerator(generator);
    backend.setTempo(tempo);
    policy.getSpec().setBackend(backend);
    GrafanaIntegration grafana = new GrafanaIntegration();
    grafana.setDatasource(new GrafanaDatasource());
    policy.getSpec().setGrafana(grafana);
    return policy;
  }

  static TracingPolicy policy() {
    return policy("observability", "default");
  }

  static GrafanaDatasource spec(TracingPolicy policy) {
    return policy.getSpec().getGrafana().getDatasource();
  }

  static JsonNode datasource(TracingPolicy policy) throws Exception {
    JsonNode file = YAML.readTree(GrafanaDatasourceRenderer.render(policy));
    assertThat(file.get("datasources")).hasSize(1);
    return file.at("/datasources/0");
  }

  static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  @Test
  void isAProvisioningFileWithOneTempoDataSourceForThePolicysQueryEndpoint() throws Exception {
    JsonNode file = YAML.readTree(GrafanaDatasourceRenderer.render(policy()));
    assertThat(file.get("apiVersion").asInt()).isEqualTo(1);
    assertThat(file.get("prune").asBoolean()).isTrue();

    JsonNode datasource = datasource(policy());
    assertThat(datasource.get("type").asText()).isEqualTo("tempo");
    assertThat(datasource.get("access").asText()).isEqualTo("proxy");
    assertThat(datasource.get("url").asText())
        .isEqualTo("http://default-tempo.observability.svc:3200");
    assertThat(datasource.get("name").asText()).isEqualTo("Tempo (observability/default)");
    assertThat(datasource.get("uid").asText()).isEqualTo("tempo-observability-default");
    assertThat(datasource.get("editable").asBoolean(true)).isFalse();
  }

  @Test
  void theNameAndUidGivenInTheSpecWin() throws Exception {
    TracingPolicy policy = policy();
    spec(policy).setName("Traces");
    spec(policy).setUid("traces");
    JsonNode datasource = datasource(policy);
    assertThat(datasource.get("name").asText()).isEqualTo("Traces");
    assertThat(datasource.get("uid").asText()).isEqualTo("traces");
  }

  @Test
  void aLongDefaultUidIsShortenedToFortyCharactersAndStaysUniquePerPolicy() {
    String namespace = "a-namespace-with-a-rather-long-name";
    String a = GrafanaDatasourceRenderer.uid(policy(namespace, "checkout-traces"));
    String b = GrafanaDatasourceRenderer.uid(policy(namespace, "checkout-tracez"));

    assertThat(a)
        .hasSize(40)
        .matches(GrafanaDatasource.UID_PATTERN)
        .startsWith("tempo-a-namespace");
    assertThat(b).hasSize(40).isNotEqualTo(a);
    assertThat(GrafanaDatasourceRenderer.uid(policy(namespace, "checkout-traces"))).isEqualTo(a);
  }

  @Test
  void theFileNameIsUniquePerPolicyBecauseTheSidecarSharesOneFolder() {
    assertThat(GrafanaDatasourceRenderer.fileName(policy("a-b", "c")))
        .isEqualTo("traceroll-a-b.c.yaml")
        .isNotEqualTo(GrafanaDatasourceRenderer.fileName(policy("a", "b-c")));
  }

  @Test
  void aSpanLinksToItsSpanMetricsInPrometheusWithEscapedTemplateVariables() throws Exception {
    JsonNode metrics = datasource(policy()).at("/jsonData/tracesToMetrics");

    assertThat(metrics.get("datasourceUid").asText()).isEqualTo("prometheus");
    assertThat(metrics.get("spanStartTimeShift").asText()).isEqualTo("-5m");
    assertThat(metrics.get("spanEndTimeShift").asText()).isEqualTo("5m");
    assertThat(metrics.get("tags"))
        .extracting(t -> t.get("key").asText() + "=" + t.get("value").asText())
        .containsExactly("service.name=service", "k8s.namespace.name=k8s_namespace_name");
    assertThat(metrics.get("queries"))
        .extracting(q -> q.get("name").asText())
        .containsExactly("Request rate", "Error rate", "Latency p95");
    // Grafana expands $VAR in provisioning files: $$ keeps the query's own $__tags.
    assertThat(metrics.get("queries"))
        .allSatisfy(q -> assertThat(q.get("query").asText()).contains("{$$__tags"))
        .anySatisfy(
            q -> assertThat(q.get("query").asText()).contains("traces_spanmetrics_latency_bucket"))
        .anySatisfy(q -> assertThat(q.get("query").asText()).contains("STATUS_CODE_ERROR"));
  }

  @Test
  void theServiceMapAndNodeGraphReadTheServiceGraphSeries() throws Exception {
    TracingPolicy policy = policy();
    spec(policy).setPrometheusDatasourceUid("mimir");
    JsonNode json = datasource(policy).get("jsonData");
    assertThat(json.at("/serviceMap/datasourceUid").asText()).isEqualTo("mimir");
    assertThat(json.at("/nodeGraph/enabled").asBoolean()).isTrue();
    assertThat(json.at("/tracesToMetrics/datasourceUid").asText()).isEqualTo("mimir");
  }

  @Test
  void onlyTheGeneratedSeriesAreLinked() throws Exception {
    TracingPolicy policy = policy();
    MetricsGenerator generator = policy.getSpec().getBackend().getTempo().getMetricsGenerator();
    generator.setProcessors(new ArrayList<>(List.of(MetricsProcessor.SPAN_METRICS)));
    assertThat(keys(datasource(policy).get("jsonData")))
        .containsExactlyInAnyOrder("nodeGraph", "tracesToMetrics");

    generator.setProcessors(new ArrayList<>(List.of(MetricsProcessor.SERVICE_GRAPHS)));
    assertThat(keys(datasource(policy).get("jsonData")))
        .containsExactlyInAnyOrder("nodeGraph", "serviceMap");

    policy.getSpec().getBackend().getTempo().setMetricsGenerator(null);
    assertThat(keys(datasource(policy).get("jsonData"))).containsExactly("nodeGraph");
  }

  @Test
  void withoutALokiUidThereIsNoTraceToLogs() throws Exception {
    assertThat(datasource(policy()).get("jsonData").has("tracesToLogsV2")).isFalse();
  }

  @Test
  void aSpanLinksToTheLogsOfItsTraceInLoki() throws Exception {
    TracingPolicy policy = policy();
    spec(policy).setLokiDatasourceUid("loki");
    JsonNode logs = datasource(policy).at("/jsonData/tracesToLogsV2");

    assertThat(logs.get("datasourceUid").asText()).isEqualTo("loki");
    assertThat(logs.get("filterByTraceID").asBoolean()).isTrue();
    assertThat(logs.get("filterBySpanID").asBoolean(true)).isFalse();
    assertThat(logs.get("spanStartTimeShift").asText()).isEqualTo("-1m");
    assertThat(logs.get("spanEndTimeShift").asText()).isEqualTo("1m");
    assertThat(logs.get("tags"))
        .extracting(t -> t.get("key").asText() + "=" + t.get("value").asText())
        .containsExactly("service.name=service_name", "k8s.namespace.name=namespace");
  }

  @Test
  void renderingIsDeterministic() {
    assertThat(GrafanaDatasourceRenderer.render(policy()))
        .isEqualTo(GrafanaDatasourceRenderer.render(policy()));
  }
}
