package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** When a restarted workload counts as healthy with the agent. */
public class HealthGate {
  @Default("5m")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long the new pods may take to become ready before the workload counts as failed.")
  private String timeout = "5m";

  @Default("2")
  @Min(0)
  @JsonPropertyDescription(
      "Container restarts of an instrumented pod above which the workload counts as failed.")
  private int maxRestarts = 2;

  public String getTimeout() {
    return timeout;
  }

  public void setTimeout(String timeout) {
    this.timeout = timeout;
  }

  public int getMaxRestarts() {
    return maxRestarts;
  }

  public void setMaxRestarts(int maxRestarts) {
    this.maxRestarts = maxRestarts;
  }
}
