package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The Grafana data source a policy provisions beside its Tempo. */
class GrafanaDatasourceTest extends ReconcilerTestBase {

  @Test
  void aGrafanaDataSourceIsProvisionedOwnedByThePolicyAndRemovedWhenDisabled() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-grafana.yaml"));

    ConfigMap datasource = awaitOwned(policy, () -> configMap("correlated-grafana-datasource"));
    assertThat(datasource.getMetadata().getLabels())
        .containsEntry("grafana_datasource", "1")
        .containsEntry("app.kubernetes.io/managed-by", "traceroll");
    assertThat(datasource.getData()).containsOnlyKeys("traceroll-observability.correlated.yaml");
    assertThat(datasource.getData().get("traceroll-observability.correlated.yaml"))
        .contains("url: http://correlated-tempo.observability.svc:3200")
        .contains("datasourceUid: loki")
        .contains("datasourceUid: prometheus");
    // The metrics the data source links to are the ones this policy's Tempo writes.
    assertThat(configMap("correlated-tempo-config").getData().get("tempo.yaml"))
        .contains("send_exemplars: true")
        .contains("traceroll_policy: observability/correlated")
        .contains("cluster: prod");

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setLokiDatasourceUid(null));
    awaitData(
        "correlated-grafana-datasource",
        "traceroll-observability.correlated.yaml",
        yaml -> !yaml.contains("tracesToLogsV2"));

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setEnabled(false));
    awaitGone(() -> configMap("correlated-grafana-datasource"));
    // Tempo stays.
    assertThat(configMap("correlated-tempo-config")).isNotNull();

    edit("correlated", p -> p.getSpec().getGrafana().getDatasource().setEnabled(true));
    awaitPresent(() -> configMap("correlated-grafana-datasource"));
    edit("correlated", p -> p.getSpec().setGrafana(null));
    awaitGone(() -> configMap("correlated-grafana-datasource"));
  }
}
