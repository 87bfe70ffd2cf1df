package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.v1alpha1.GrafanaDatasource;
import io.traceroll.api.v1alpha1.GrafanaIntegration;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real API server accepts the examples and fills in the CRD's defaults at apply time, up to the
 * bounds its CEL rules draw. {@link CrdRefusalsE2eTest} lists what it refuses outright.
 */
class CrdValidationE2eTest extends CrdE2eBase {

  @Test
  void acceptsTheSamplePolicies() throws Exception {
    for (String sample :
        new String[] {
          "tracingpolicy-tempo.yaml",
          "tracingpolicy-otlp.yaml",
          "tracingpolicy-tail.yaml",
          "tracingpolicy-grafana.yaml"
        }) {
      TracingPolicy created = dryRun(sample(sample, "dry-run"));
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
  void defaultsAnEmptyTailAndRefusesADecisionWaitUnderASecond() throws Exception {
    TracingPolicy policy = sample("tracingpolicy-otlp.yaml", "tail-defaults");
    policy.getSpec().getSampling().setTail(new TailSampling());
    assertThat(dryRun(policy).getSpec().getSampling().getTail().getDecisionWait()).isEqualTo("10s");

    assertRefused(
        otlpSpec("sampling: {tail: {decisionWait: 500ms}}"),
        "spec.sampling.tail.decisionWait",
        "tail.decisionWait must be at least 1s");
  }

  @Test
  void refusesAGrafanaDataSourceWithoutATempoBackendUnlessDisabled() throws Exception {
    assertRefused(
        otlpSpec("grafana: {datasource: {}}"),
        "spec.grafana.datasource",
        "grafana.datasource needs backend.tempo");

    TracingPolicy disabled = sample("tracingpolicy-otlp.yaml", "grafana-off");
    disabled.getSpec().setGrafana(grafanaDatasource());
    disabled.getSpec().getGrafana().getDatasource().setEnabled(false);
    assertThat(dryRun(disabled).getSpec().getGrafana()).isNotNull();
  }

  @Test
  void defaultsTheGrafanaDataSourceAndRefusesAUidGrafanaWouldNot() throws Exception {
    TracingPolicy policy = sample("tracingpolicy-tempo.yaml", "grafana-defaults");
    policy.getSpec().setGrafana(grafanaDatasource());
    policy.getSpec().getGrafana().getDatasource().setPrometheusDatasourceUid(null);
    var created = dryRun(policy);
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

  static GrafanaIntegration grafanaDatasource() {
    GrafanaIntegration grafana = new GrafanaIntegration();
    grafana.setDatasource(new GrafanaDatasource());
    return grafana;
  }
}
