package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** The rollout state of one Deployment, StatefulSet or DaemonSet. */
public class WorkloadRollout {
  @JsonPropertyDescription("Deployment, StatefulSet or DaemonSet.")
  private String kind;

  @JsonPropertyDescription("Namespace of the workload.")
  private String namespace;

  @JsonPropertyDescription("Name of the workload.")
  private String name;

  @JsonPropertyDescription("Instrument (add the agent) or Remove (take it out).")
  private WorkloadAction action;

  @JsonPropertyDescription("Pending, Restarting, Instrumented, Failed or RolledBack.")
  private WorkloadPhase phase;

  @JsonPropertyDescription(
      "The injection hash the restart was made for, or none when taking the agent out.")
  private String target;

  @JsonPropertyDescription("The restart this state refers to (pod-template annotation value).")
  private String revision;

  @JsonPropertyDescription("When the restart began (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("Why the workload is in this phase.")
  private String message;

  @JsonPropertyDescription(
      "RolledBack only: the workload's pod selector. The webhook leaves the pods it selects"
          + " alone while the policy's injection is the one rolled back, so the workload itself"
          + " only ever gets the restart annotation.")
  private LabelSelector selector;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  @JsonPropertyDescription(
      "The containers that get the agent and why: named, or what the JVM detection read (e.g."
          + " app (JVM: command: java)).")
  private String detection;

  public String getDetection() {
    return detection;
  }

  public void setDetection(String detection) {
    this.detection = detection;
  }

  public WorkloadRollout() {}

  public WorkloadRollout(String kind, String namespace, String name) {
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
  }

  /** {@code Kind/namespace/name}. */
  public String key() {
    return kind + "/" + namespace + "/" + name;
  }

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public WorkloadAction getAction() {
    return action;
  }

  public void setAction(WorkloadAction action) {
    this.action = action;
  }

  public WorkloadPhase getPhase() {
    return phase;
  }

  public void setPhase(WorkloadPhase phase) {
    this.phase = phase;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
