package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.NamespaceConflict;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PolicyPrecedence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which of the namespaces a policy selects it governs, and which another policy wins, by the same
 * precedence the webhook applies.
 */
final class NamespaceGovernance {
  /** The governed namespaces (sorted) and the selected ones another policy governs. */
  record Governance(List<String> governed, List<NamespaceConflict> conflicts) {}

  private final PolicyPrecedence precedence;

  NamespaceGovernance(PolicyPrecedence precedence) {
    this.precedence = precedence;
  }

  Governance of(TracingPolicy policy, List<TracingPolicy> all, Collection<Namespace> namespaces) {
    String self = Naming.policyId(policy);
    List<String> governed = new ArrayList<>();
    List<NamespaceConflict> conflicts = new ArrayList<>();
    namespaces.stream()
        .filter(ns -> precedence.selection().selects(policy, ns))
        .sorted(Comparator.comparing(ns -> ns.getMetadata().getName()))
        .forEach(
            ns -> {
              String winner = precedence.winner(ns, all).map(Naming::policyId).orElse(self);
              if (winner.equals(self)) {
                governed.add(ns.getMetadata().getName());
              } else {
                conflicts.add(new NamespaceConflict(ns.getMetadata().getName(), winner));
              }
            });
    return new Governance(governed, conflicts);
  }
}
