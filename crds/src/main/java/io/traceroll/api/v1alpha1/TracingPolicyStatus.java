package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did for a TracingPolicy. */
public class TracingPolicyStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Ready (everything in place), BackendReady (trace store and gateway running),"
          + " WebhookReady (the API server calls the webhook for this policy), RolloutProgressing"
          + " (workloads being restarted), Degraded (the rollout stopped after too many"
          + " failures) and Conflict (a selected namespace is governed by another policy), each"
          + " with a reason and message.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The trace backend agents send to.")
  private BackendStatus backend;

  @JsonPropertyDescription(
      "Namespaces the policy governs: selected, and not won by another policy.")
  private List<String> namespaces = new ArrayList<>();

  @JsonPropertyDescription("Progress of the rollout to running workloads.")
  private RolloutStatus rollout;

  @JsonPropertyDescription("Selected namespaces that another policy governs.")
  private List<NamespaceConflict> conflicts = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public BackendStatus getBackend() {
    return backend;
  }

  public void setBackend(BackendStatus backend) {
    this.backend = backend;
  }

  public RolloutStatus getRollout() {
    return rollout;
  }

  public void setRollout(RolloutStatus rollout) {
    this.rollout = rollout;
  }

  public List<NamespaceConflict> getConflicts() {
    return conflicts;
  }

  public void setConflicts(List<NamespaceConflict> conflicts) {
    this.conflicts = conflicts;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }
}
