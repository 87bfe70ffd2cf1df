package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Sampling for one service: a ratio or a rate limit, with per-operation ratios. */
@ValidationRule(
    value = "has(self.ratio) != has(self.maxTracesPerSecond)",
    message = "set exactly one of ratio or maxTracesPerSecond for a service")
@ValidationRule(
    value =
        "!has(self.operations) || self.operations.all(o, self.operations.exists_one(p, p.name == o.name))",
    message = "operations must name each operation at most once")
@ValidationRule(
    value = "!has(self.maxTracesPerSecond) || !has(self.operations) || size(self.operations) == 0",
    message =
        "per-operation ratios need a ratio for the service, not maxTracesPerSecond: agents apply"
            + " them on top of a probabilistic default")
public class ServiceSampling {
  @Required
  @Size(min = 1, max = 128)
  @JsonPropertyDescription("Service name, as in OTEL_SERVICE_NAME.")
  private String service;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Share of this service's traces kept, from 0.0 to 1.0.")
  private Double ratio;

  @Min(0)
  @JsonPropertyDescription(
      "Keep at most this many traces per second of this service, per agent (each pod limits"
          + " itself).")
  private Integer maxTracesPerSecond;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Per-operation ratios within this service, by the name of the trace's first span (e.g."
          + " 'GET /healthz'); needs ratio.")
  private List<OperationSampling> operations = new ArrayList<>();

  public String getService() {
    return service;
  }

  public void setService(String service) {
    this.service = service;
  }

  public Double getRatio() {
    return ratio;
  }

  public void setRatio(Double ratio) {
    this.ratio = ratio;
  }

  public Integer getMaxTracesPerSecond() {
    return maxTracesPerSecond;
  }

  public void setMaxTracesPerSecond(Integer maxTracesPerSecond) {
    this.maxTracesPerSecond = maxTracesPerSecond;
  }

  public List<OperationSampling> getOperations() {
    return operations;
  }

  public void setOperations(List<OperationSampling> operations) {
    this.operations = operations;
  }
}
