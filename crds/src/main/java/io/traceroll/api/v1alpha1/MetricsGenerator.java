package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tempo's metrics generator: span metrics and service graphs written to Prometheus. */
@ValidationRule(
    value =
        "!has(self.externalLabels) || self.externalLabels.all(k, k.matches('^[a-zA-Z_][a-zA-Z0-9_]*$')"
            + " && !k.startsWith('__'))",
    message =
        "metricsGenerator.externalLabels keys must be Prometheus label names ([a-zA-Z_][a-zA-Z0-9_]*,"
            + " not starting with __)",
    fieldPath = ".externalLabels")
public class MetricsGenerator {
  @Required
  @Pattern("^https?://.+")
  @JsonPropertyDescription(
      "Prometheus remote-write URL, e.g. http://prometheus.monitoring.svc:9090/api/v1/write.")
  private String remoteWriteUrl;

  @Size(min = 1)
  @JsonPropertyDescription("Processors to run. Defaults to [service-graphs, span-metrics].")
  private List<MetricsProcessor> processors =
      new ArrayList<>(List.of(MetricsProcessor.SERVICE_GRAPHS, MetricsProcessor.SPAN_METRICS));

  @Default("true")
  @JsonPropertyDescription("Attach trace ids as exemplars to the written samples.")
  private boolean exemplars = true;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Labels added to every generated series, e.g. {cluster: prod}. Tempo always adds"
          + " source=tempo and traceroll_policy=<namespace>/<policy>; a key set here wins.")
  private Map<String, String> externalLabels = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Send the remote writes with HTTP basic auth from this Secret in the policy's namespace."
          + " Tempo reads both values from files mounted from the Secret; they never appear in"
          + " tempo.yaml.")
  private BasicAuthSecret basicAuthSecret;

  public String getRemoteWriteUrl() {
    return remoteWriteUrl;
  }

  public void setRemoteWriteUrl(String remoteWriteUrl) {
    this.remoteWriteUrl = remoteWriteUrl;
  }

  public List<MetricsProcessor> getProcessors() {
    return processors;
  }

  public void setProcessors(List<MetricsProcessor> processors) {
    this.processors = processors;
  }

  public boolean isExemplars() {
    return exemplars;
  }

  public void setExemplars(boolean exemplars) {
    this.exemplars = exemplars;
  }

  public Map<String, String> getExternalLabels() {
    return externalLabels;
  }

  public void setExternalLabels(Map<String, String> externalLabels) {
    this.externalLabels = externalLabels;
  }

  public BasicAuthSecret getBasicAuthSecret() {
    return basicAuthSecret;
  }

  public void setBasicAuthSecret(BasicAuthSecret basicAuthSecret) {
    this.basicAuthSecret = basicAuthSecret;
  }
}
