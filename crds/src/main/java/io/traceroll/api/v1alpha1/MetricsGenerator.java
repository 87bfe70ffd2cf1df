package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Tempo's metrics generator: span metrics and service graphs written to Prometheus. */
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
}
