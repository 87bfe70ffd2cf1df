package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** The sampling ratio for every service without its own entry. */
public class DefaultSampling {
  @Default("1.0")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Share of traces kept, from 0.0 (none) to 1.0 (all).")
  private double ratio = 1.0;

  public double getRatio() {
    return ratio;
  }

  public void setRatio(double ratio) {
    this.ratio = ratio;
  }
}
