package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** Progress of bringing tracing to (or taking it from) running workloads. */
public class RolloutStatus {
  @JsonPropertyDescription("Instrumented workloads out of those the policy governs, e.g. 12/15.")
  private String summary;

  @JsonPropertyDescription(
      "Pods with the policy's current agent whose agent has contacted the operator, of all such"
          + " pods, e.g. 11/12: the proof that the agents run.")
  private String verifiedAgents;

  @JsonPropertyDescription(
      "Pods with the policy's current injection that run an older bundled agent than this"
          + " operator's (java.image unset, agentUpgrade OnNextRestart): they get the new one at"
          + " their next restart.")
  private int outdatedAgents;

  @JsonPropertyDescription("Workloads the policy governs.")
  private int total;

  @JsonPropertyDescription("Workloads running with the current injection.")
  private int instrumented;

  @JsonPropertyDescription("Workloads being restarted now.")
  private int restarting;

  @JsonPropertyDescription("Workloads whose instrumented pods failed the health gate.")
  private int failed;

  @JsonPropertyDescription("Workloads opted out and restarted without the agent after failing.")
  private int rolledBack;

  @JsonPropertyDescription("Per-workload state; workloads already in place are not listed.")
  private List<WorkloadRollout> workloads = new ArrayList<>();

  @JsonPropertyDescription(
      "With rollout.dryRun: the restarts the rollout would make, in order, as Kind/ns/name.")
  private List<String> plan = new ArrayList<>();

  @JsonPropertyDescription(
      "Workloads of governed namespaces the policy leaves alone (no JVM, a tracer of their own,"
          + " opted out, ...) with the reason and what was read; at most 100, by name.")
  private List<SkippedWorkload> skipped = new ArrayList<>();

  @JsonPropertyDescription("How many workloads are skipped, listed or not.")
  private int skippedTotal;

  @JsonPropertyDescription(
      "The value of the policy's traceroll.io/retry annotation the rollout last acted on: a new"
          + " value retries the rolled-back workloads.")
  private String retry;

  public String getRetry() {
    return retry;
  }

  public void setRetry(String retry) {
    this.retry = retry;
  }

  public List<SkippedWorkload> getSkipped() {
    return skipped;
  }

  public void setSkipped(List<SkippedWorkload> skipped) {
    this.skipped = skipped;
  }

  public int getSkippedTotal() {
    return skippedTotal;
  }

  public void setSkippedTotal(int skippedTotal) {
    this.skippedTotal = skippedTotal;
  }

  public String getVerifiedAgents() {
    return verifiedAgents;
  }

  public void setVerifiedAgents(String verifiedAgents) {
    this.verifiedAgents = verifiedAgents;
  }

  public int getOutdatedAgents() {
    return outdatedAgents;
  }

  public void setOutdatedAgents(int outdatedAgents) {
    this.outdatedAgents = outdatedAgents;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public int getTotal() {
    return total;
  }

  public void setTotal(int total) {
    this.total = total;
  }

  public int getInstrumented() {
    return instrumented;
  }

  public void setInstrumented(int instrumented) {
    this.instrumented = instrumented;
  }

  public int getRestarting() {
    return restarting;
  }

  public void setRestarting(int restarting) {
    this.restarting = restarting;
  }

  public int getFailed() {
    return failed;
  }

  public void setFailed(int failed) {
    this.failed = failed;
  }

  public int getRolledBack() {
    return rolledBack;
  }

  public void setRolledBack(int rolledBack) {
    this.rolledBack = rolledBack;
  }

  public List<WorkloadRollout> getWorkloads() {
    return workloads;
  }

  public void setWorkloads(List<WorkloadRollout> workloads) {
    this.workloads = workloads;
  }

  public List<String> getPlan() {
    return plan;
  }

  public void setPlan(List<String> plan) {
    this.plan = plan;
  }
}
