package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A namespace this policy selects but another policy governs. */
public class NamespaceConflict {
  @JsonPropertyDescription("The namespace selected by more than one policy.")
  private String namespace;

  @JsonPropertyDescription(
      "The policy (<namespace>.<name>) that governs it: the one the namespace label"
          + " traceroll.io/policy names, else the oldest.")
  private String governedBy;

  public NamespaceConflict() {}

  public NamespaceConflict(String namespace, String governedBy) {
    this.namespace = namespace;
    this.governedBy = governedBy;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getGovernedBy() {
    return governedBy;
  }

  public void setGovernedBy(String governedBy) {
    this.governedBy = governedBy;
  }
}
