package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real API server enforces the CRD's schema and CEL rules at apply time. */
class CrdValidationE2eTest {
  static TestCluster cluster;
  static String ns;

  @BeforeAll
  static void install() throws Exception {
    cluster = new TestCluster();
    cluster.installCrd();
    ns = cluster.createNamespace("crd", Map.of());
  }

  @AfterAll
  static void cleanUp() {
    cluster.deleteNamespace(ns);
    cluster.client.close();
  }

  @Test
  void acceptsTheSamplePolicies() throws Exception {
    for (String sample :
        new String[] {
          "tracingpolicy-tempo.yaml",
          "tracingpolicy-otlp.yaml",
          "tracingpolicy-tail.yaml",
          "tracingpolicy-grafana.yaml"
        }) {
      TracingPolicy policy = TestCluster.sample(sample, ns);
      policy.getMetadata().setName("dry-run");
      TracingPolicy created = cluster.client.resource(policy).dryRun().create();
      assertThat(created.getMetadata().getNamespace()).isEqualTo(ns);
    }
  }

  @Test
  void appliesSchemaDefaults() throws Exception {
    TracingPolicy created =
        cluster.client.resource(TestCluster.sample("tracingpolicy-otlp.yaml", ns)).create();
    var raw =
        cluster
            .client
            .genericKubernetesResources("traceroll.io/v1alpha1", "TracingPolicy")
            .inNamespace(ns)
            .withName(created.getMetadata().getName())
            .get();
    Map<String, Object> spec = raw.get("spec");
    assertThat(Serialization.asJson(spec))
        .contains("\"strategy\":\"Staged\"")
        .contains("\"pollInterval\":\"30s\"")
        .contains("\"parentBased\":true");
  }

  @Test
  void refusesARatioAboveOne() {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling: {default: {ratio: 1.5}}
        """,
        "spec.sampling.default.ratio",
        "less than or equal to 1");
  }

  @Test
  void refusesTwoBackends() {
    assertRefused(
        """
        spec:
          backend:
            otlpEndpoint: {endpoint: "http://collector:4317"}
            tempo: {storage: {type: memory}}
        """,
        "spec.backend",
        "exactly one of backend.tempo or backend.otlpEndpoint must be set");
  }

  @Test
  void refusesNoBackend() {
    assertRefused("spec: {sampling: {default: {ratio: 0.5}}}", "spec.backend", "Required value");
  }

  @Test
  void refusesS3WithoutBucket() {
    assertRefused(
        """
        spec:
          backend:
            tempo:
              storage: {type: s3, s3: {credentialsSecret: {name: creds}}}
        """,
        "spec.backend.tempo.storage.s3.bucket",
        "Required value");
  }

  @Test
  void refusesS3TypeWithoutS3Settings() {
    assertRefused(
        """
        spec:
          backend:
            tempo:
              storage: {type: s3}
        """,
        "spec.backend.tempo.storage.s3",
        "storage.type s3 needs storage.s3 with a bucket");
  }

  @Test
  void refusesAServiceWithBothRatioAndRateLimit() {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling:
            services: [{service: checkout, ratio: 0.5, maxTracesPerSecond: 3}]
        """,
        "spec.sampling.services[0]",
        "set exactly one of ratio or maxTracesPerSecond");
  }

  @Test
  void refusesPerOperationRatiosUnderARateLimit() {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling:
            services:
              - service: search
                maxTracesPerSecond: 3
                operations: [{name: "GET /healthz", ratio: 0.0}]
        """,
        "spec.sampling.services[0]",
        "per-operation ratios need a ratio for the service");
  }

  @Test
  void refusesAFractionalRateLimit() {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling:
            services: [{service: search, maxTracesPerSecond: 0.5}]
        """,
        "spec.sampling.services[0].maxTracesPerSecond",
        "integer");
  }

  @Test
  void refusesAMalformedDuration() {
    assertRefused(
        """
        spec:
          backend: {tempo: {retention: "7 days"}}
        """,
        "spec.backend.tempo.retention",
        "should match");
  }

  @Test
  void defaultsAnEmptyTailAndRefusesADecisionWaitUnderASecond() throws Exception {
    TracingPolicy policy = TestCluster.sample("tracingpolicy-otlp.yaml", ns);
    policy.getMetadata().setName("tail-defaults");
    policy.getSpec().getSampling().setTail(new io.traceroll.api.v1alpha1.TailSampling());
    var created = cluster.client.resource(policy).dryRun().create();
    assertThat(created.getSpec().getSampling().getTail().getDecisionWait()).isEqualTo("10s");

    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling: {tail: {decisionWait: 500ms}}
        """,
        "spec.sampling.tail.decisionWait",
        "tail.decisionWait must be at least 1s");
  }

  @Test
  void refusesAZeroLatencyThresholdAndATailRatioAboveOne() {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling: {tail: {latencyThreshold: 0s}}
        """,
        "spec.sampling.tail.latencyThreshold",
        "0 would keep every trace");
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          sampling: {tail: {ratio: 2}}
        """,
        "spec.sampling.tail.ratio",
        "less than or equal to 1");
  }

  @Test
  void refusesAGrafanaDataSourceWithoutATempoBackendUnlessDisabled() throws Exception {
    assertRefused(
        """
        spec:
          backend: {otlpEndpoint: {endpoint: "http://collector:4317"}}
          grafana: {datasource: {}}
        """,
        "spec.grafana.datasource",
        "grafana.datasource needs backend.tempo");

    TracingPolicy disabled = TestCluster.sample("tracingpolicy-otlp.yaml", ns);
    disabled.getMetadata().setName("grafana-off");
    var grafana = new io.traceroll.api.v1alpha1.GrafanaIntegration();
    grafana.setDatasource(new io.traceroll.api.v1alpha1.GrafanaDatasource());
    grafana.getDatasource().setEnabled(false);
    disabled.getSpec().setGrafana(grafana);
    assertThat(cluster.client.resource(disabled).dryRun().create().getSpec().getGrafana())
        .isNotNull();
  }

  @Test
  void defaultsTheGrafanaDataSourceAndRefusesAUidGrafanaWouldNot() throws Exception {
    TracingPolicy policy = TestCluster.sample("tracingpolicy-tempo.yaml", ns);
    policy.getMetadata().setName("grafana-defaults");
    var grafana = new io.traceroll.api.v1alpha1.GrafanaIntegration();
    grafana.setDatasource(new io.traceroll.api.v1alpha1.GrafanaDatasource());
    grafana.getDatasource().setPrometheusDatasourceUid(null);
    policy.getSpec().setGrafana(grafana);
    var created = cluster.client.resource(policy).dryRun().create();
    assertThat(created.getSpec().getGrafana().getDatasource().isEnabled()).isTrue();
    assertThat(created.getSpec().getGrafana().getDatasource().getPrometheusDatasourceUid())
        .isEqualTo("prometheus");

    assertRefused(
        """
        spec:
          backend: {tempo: {storage: {type: memory}}}
          grafana: {datasource: {uid: "tempo/prod"}}
        """,
        "spec.grafana.datasource.uid",
        "should match");
  }

  @Test
  void refusesGeneratorLabelsThatAreNotPrometheusLabelNames() {
    assertRefused(
        """
        spec:
          backend:
            tempo:
              storage: {type: memory}
              metricsGenerator:
                remoteWriteUrl: http://prometheus:9090/api/v1/write
                externalLabels: {k8s.cluster: prod}
        """,
        "spec.backend.tempo.metricsGenerator.externalLabels",
        "must be Prometheus label names");
    assertRefused(
        """
        spec:
          backend:
            tempo:
              storage: {type: memory}
              metricsGenerator:
                remoteWriteUrl: http://prometheus:9090/api/v1/write
                externalLabels: {__name__: x}
        """,
        "spec.backend.tempo.metricsGenerator.externalLabels",
        "must be Prometheus label names");
  }

  /** Creates the policy through a client that does not parse it into Java (raw YAML). */
  private static void assertRefused(String specYaml, String field, String message) {
    String yaml =
        "apiVersion: traceroll.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: bad, namespace: "
            + ns
            + "}\n"
            + specYaml;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      assertThatThrownBy(
              () ->
                  client
                      .resource(new java.io.ByteArrayInputStream(yaml.getBytes()))
                      .inNamespace(ns)
                      .create())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
          .hasMessageContaining(field)
          .hasMessageContaining(message);
    }
  }
}
