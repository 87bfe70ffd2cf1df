package io.traceroll.policy;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which policy governs a namespace when several select it: the one the namespace names with the
 * label traceroll.io/policy ({@code <ns>.<name>}), else the oldest. The webhook and the operator's
 * status use the same rule.
 */
public final class PolicyPrecedence {
  private final NamespaceSelection selection;

  public PolicyPrecedence(NamespaceSelection selection) {
    this.selection = selection;
  }

  public NamespaceSelection selection() {
    return selection;
  }

  public Optional<TracingPolicy> winner(Namespace namespace, Collection<TracingPolicy> all) {
    List<TracingPolicy> candidates =
        all.stream()
            .filter(p -> p.getSpec() != null && p.getSpec().getBackend() != null)
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .filter(p -> selection.selects(p, namespace))
            .toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels = namespace.getMetadata().getLabels();
    String chosen = labels == null ? null : labels.get(Traceroll.POLICY_LABEL);
    if (chosen != null) {
      Optional<TracingPolicy> named =
          candidates.stream().filter(p -> Naming.policyId(p).equals(chosen)).findFirst();
      if (named.isPresent()) {
        return named;
      }
    }
    return candidates.stream()
        .min(
            Comparator.comparing(
                    (TracingPolicy p) -> p.getMetadata().getCreationTimestamp(),
                    Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(Naming::policyId));
  }
}
