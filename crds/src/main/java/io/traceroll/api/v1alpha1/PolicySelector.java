package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.Traceroll;

/** Selects the namespaces, and optionally the pods in them, that a policy instruments. */
public class PolicySelector {
  @JsonPropertyDescription(
      "Namespaces whose pods are instrumented. Defaults to matchLabels"
          + " {traceroll.io/inject: enabled}. The operator's namespace and kube-system are never"
          + " selected.")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("Only pods matching this selector are instrumented; all pods if unset.")
  private LabelSelector podSelector;

  /** The namespace selector, or the default label selector when none is given. */
  public LabelSelector effectiveNamespaceSelector() {
    if (namespaceSelector != null) {
      return namespaceSelector;
    }
    return new LabelSelectorBuilder()
        .addToMatchLabels(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED)
        .build();
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(LabelSelector podSelector) {
    this.podSelector = podSelector;
  }
}
