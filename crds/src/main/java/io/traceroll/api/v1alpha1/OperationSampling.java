package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The sampling ratio of one operation (root span name) of a service. */
public class OperationSampling {
  @Required
  @Size(min = 1, max = 256)
  @JsonPropertyDescription("Operation (span) name, e.g. 'GET /healthz'.")
  private String name;

  @Required
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Share of this operation's traces kept, from 0.0 to 1.0.")
  private double ratio;

  public OperationSampling() {}

  public OperationSampling(String name, double ratio) {
    this.name = name;
    this.ratio = ratio;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public double getRatio() {
    return ratio;
  }

  public void setRatio(double ratio) {
    this.ratio = ratio;
  }
}
