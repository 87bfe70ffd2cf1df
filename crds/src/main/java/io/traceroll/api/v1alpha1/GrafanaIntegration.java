package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the policy hands to Grafana so users can move between traces, metrics and logs. */
public class GrafanaIntegration {
  @JsonPropertyDescription(
      "Provision a Grafana data source for the policy's Tempo through a ConfigMap labelled"
          + " grafana_datasource=1, the label Grafana's datasource sidecar watches. Needs"
          + " backend.tempo.")
  private GrafanaDatasource datasource;

  public GrafanaDatasource getDatasource() {
    return datasource;
  }

  public void setDatasource(GrafanaDatasource datasource) {
    this.datasource = datasource;
  }
}
