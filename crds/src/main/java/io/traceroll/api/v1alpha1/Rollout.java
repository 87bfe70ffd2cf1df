package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How tracing reaches workloads that already run. */
public class Rollout {
  @Default("Staged")
  @JsonPropertyDescription(
      "Staged restarts workloads in gated batches; Immediate restarts all at once; OnNextRestart"
          + " restarts nothing and injects when pods restart anyway.")
  private RolloutStrategy strategy = RolloutStrategy.Staged;

  @Default("2")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Workloads restarting at the same time, at most.")
  private int maxConcurrent = 2;

  @JsonPropertyDescription("When a restarted workload counts as healthy.")
  private HealthGate healthGate = new HealthGate();

  @Default("true")
  @JsonPropertyDescription(
      "Take the agent out of a workload whose instrumented pods fail the health gate.")
  private boolean autoRollback = true;

  @Default("false")
  @JsonPropertyDescription("Stop after the current batch; set back to false to resume.")
  private boolean paused;

  @Default("false")
  @JsonPropertyDescription("Write the rollout plan to status and restart nothing.")
  private boolean dryRun;

  public RolloutStrategy getStrategy() {
    return strategy;
  }

  public void setStrategy(RolloutStrategy strategy) {
    this.strategy = strategy;
  }

  public int getMaxConcurrent() {
    return maxConcurrent;
  }

  public void setMaxConcurrent(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  public HealthGate getHealthGate() {
    return healthGate;
  }

  public void setHealthGate(HealthGate healthGate) {
    this.healthGate = healthGate;
  }

  public boolean isAutoRollback() {
    return autoRollback;
  }

  public void setAutoRollback(boolean autoRollback) {
    this.autoRollback = autoRollback;
  }

  public boolean isPaused() {
    return paused;
  }

  public void setPaused(boolean paused) {
    this.paused = paused;
  }

  public boolean isDryRun() {
    return dryRun;
  }

  public void setDryRun(boolean dryRun) {
    this.dryRun = dryRun;
  }
}
