package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** The trace store: exactly one of a managed Tempo or an external OTLP endpoint. */
@ValidationRule(
    value = "has(self.tempo) != has(self.otlpEndpoint)",
    message = "exactly one of backend.tempo or backend.otlpEndpoint must be set")
public class Backend {
  @JsonPropertyDescription(
      "Run a Grafana Tempo trace store in the policy's namespace and send traces to it.")
  private TempoBackend tempo;

  @JsonPropertyDescription(
      "Send traces to an existing OTLP endpoint (a collector or a vendor); nothing is deployed.")
  private OtlpEndpointBackend otlpEndpoint;

  public TempoBackend getTempo() {
    return tempo;
  }

  public void setTempo(TempoBackend tempo) {
    this.tempo = tempo;
  }

  public OtlpEndpointBackend getOtlpEndpoint() {
    return otlpEndpoint;
  }

  public void setOtlpEndpoint(OtlpEndpointBackend otlpEndpoint) {
    this.otlpEndpoint = otlpEndpoint;
  }
}
