package io.traceroll.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/** Which namespaces a policy instruments: those its selector matches, minus protected ones. */
public final class NamespaceSelection {
  private final Set<String> protectedNamespaces;

  /**
   * @param operatorNamespace the operator's own namespace, never instrumented (nor kube-system)
   */
  public NamespaceSelection(String operatorNamespace) {
    this.protectedNamespaces = Set.copyOf(java.util.List.of(operatorNamespace, "kube-system"));
  }

  public boolean isProtected(String namespace) {
    return protectedNamespaces.contains(namespace);
  }

  public boolean selects(TracingPolicy policy, Namespace namespace) {
    return !isProtected(namespace.getMetadata().getName())
        && LabelSelectors.matches(
            policy.getSpec().getSelector().effectiveNamespaceSelector(),
            namespace.getMetadata().getLabels());
  }

  /** The sorted names of the selected namespaces. */
  public List<String> selected(TracingPolicy policy, Collection<Namespace> namespaces) {
    return namespaces.stream()
        .filter(ns -> selects(policy, ns))
        .map(ns -> ns.getMetadata().getName())
        .sorted()
        .toList();
  }
}
