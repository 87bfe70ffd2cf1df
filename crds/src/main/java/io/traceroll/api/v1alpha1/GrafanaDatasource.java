package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * A Grafana Tempo data source for the policy's Tempo, wired to the Prometheus and Loki data sources
 * the user already has, so a span links to its metrics, service map and logs.
 */
public class GrafanaDatasource {
  /** Grafana data source uids: letters, digits, '-' and '_', at most 40 characters. */
  public static final String UID_PATTERN = "^[a-zA-Z0-9_-]{1,40}$";

  @Default("true")
  @JsonPropertyDescription(
      "Whether the data source ConfigMap exists; false removes it and keeps these settings.")
  private boolean enabled = true;

  @Size(min = 1, max = 190)
  @JsonPropertyDescription(
      "Name shown in Grafana. Defaults to \"Tempo (<namespace>/<policy>)\", unique per policy.")
  private String name;

  @Pattern(UID_PATTERN)
  @JsonPropertyDescription(
      "Uid of the data source, for links from other data sources (e.g. Prometheus exemplars)."
          + " Defaults to tempo-<namespace>-<policy>, shortened with a hash past 40 characters.")
  private String uid;

  @Default("prometheus")
  @Pattern(UID_PATTERN)
  @JsonPropertyDescription(
      "Uid of the Prometheus data source holding the metrics generator's series: trace to"
          + " metrics and the service map query it.")
  private String prometheusDatasourceUid = "prometheus";

  @Pattern(UID_PATTERN)
  @JsonPropertyDescription(
      "Uid of a Loki data source; when set, a span links to the logs of its trace (filtered by"
          + " trace id, service_name and namespace). Unset: no trace to logs.")
  private String lokiDatasourceUid;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUid() {
    return uid;
  }

  public void setUid(String uid) {
    this.uid = uid;
  }

  public String getPrometheusDatasourceUid() {
    return prometheusDatasourceUid;
  }

  public void setPrometheusDatasourceUid(String prometheusDatasourceUid) {
    this.prometheusDatasourceUid = prometheusDatasourceUid;
  }

  public String getLokiDatasourceUid() {
    return lokiDatasourceUid;
  }

  public void setLokiDatasourceUid(String lokiDatasourceUid) {
    this.lokiDatasourceUid = lokiDatasourceUid;
  }
}
