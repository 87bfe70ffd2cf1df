package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.traceroll.api.Traceroll;
import java.util.ArrayList;
import java.util.List;

/** A Grafana Tempo trace store (monolithic mode) that the operator deploys and keeps. */
@ValidationRule(
    value =
        "!has(self.receivers) || self.receivers.exists(r, r == 'otlp-grpc' || r == 'otlp-http')",
    message = "tempo.receivers must include otlp-grpc or otlp-http: injected agents export OTLP",
    fieldPath = ".receivers")
public class TempoBackend {
  @Default(Traceroll.DEFAULT_TEMPO_IMAGE)
  @JsonPropertyDescription("Tempo container image.")
  private String image = Traceroll.DEFAULT_TEMPO_IMAGE;

  @JsonPropertyDescription("Where Tempo keeps trace blocks. Defaults to a 10Gi persistent volume.")
  private TempoStorage storage = new TempoStorage();

  @Default("168h")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long traces are kept before the compactor deletes them, as a duration such as 168h.")
  private String retention = "168h";

  @Size(min = 1, max = 4)
  @JsonPropertyDescription(
      "Protocols Tempo accepts traces on. Each enables its Service port: otlp-grpc 4317,"
          + " otlp-http 4318, jaeger 14268 (thrift over HTTP) and 14250 (gRPC), zipkin 9411."
          + " Defaults to [otlp-grpc, otlp-http].")
  private List<Receiver> receivers =
      new ArrayList<>(List.of(Receiver.OTLP_GRPC, Receiver.OTLP_HTTP));

  @JsonPropertyDescription("CPU and memory for the Tempo container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Derive RED metrics and a service graph from spans and remote-write them to Prometheus.")
  private MetricsGenerator metricsGenerator;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public TempoStorage getStorage() {
    return storage;
  }

  public void setStorage(TempoStorage storage) {
    this.storage = storage;
  }

  public String getRetention() {
    return retention;
  }

  public void setRetention(String retention) {
    this.retention = retention;
  }

  public List<Receiver> getReceivers() {
    return receivers;
  }

  public void setReceivers(List<Receiver> receivers) {
    this.receivers = receivers;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public MetricsGenerator getMetricsGenerator() {
    return metricsGenerator;
  }

  public void setMetricsGenerator(MetricsGenerator metricsGenerator) {
    this.metricsGenerator = metricsGenerator;
  }
}
