package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A workload of a governed namespace that the policy leaves alone, and why. */
public class SkippedWorkload {
  @JsonPropertyDescription("Deployment, StatefulSet or DaemonSet.")
  private String kind;

  @JsonPropertyDescription("Namespace of the workload.")
  private String namespace;

  @JsonPropertyDescription("Name of the workload.")
  private String name;

  @JsonPropertyDescription(
      "NO_JVM, IMAGE_UNKNOWN (waiting for the image probe), AGENT_PRESENT, OPTED_OUT,"
          + " POD_SELECTOR, NO_CONTAINER_SELECTED, NO_CONTAINERS or ROLLED_BACK.")
  private String reason;

  @JsonPropertyDescription("What the decision read, e.g. each container's JVM detection.")
  private String message;

  public SkippedWorkload() {}

  public SkippedWorkload(
      String kind, String namespace, String name, String reason, String message) {
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.reason = reason;
    this.message = message;
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

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
