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

  @Default("true")
  @JsonPropertyDescription(
      "The new pods count as instrumented only once each one's agent has contacted the operator"
          + " (agents poll its sampling server at start); pods injected but silent within the"
          + " timeout fail the workload (rolled back with autoRollback). Turn off only where pods"
          + " cannot reach the operator's sampling Service.")
  private boolean agentContact = true;

  public boolean isAgentContact() {
    return agentContact;
  }

  public void setAgentContact(boolean agentContact) {
    this.agentContact = agentContact;
  }

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
