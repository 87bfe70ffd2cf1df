package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.NamespaceConflict;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PolicyPrecedence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which of the namespaces a policy selects it governs, and which another policy wins (by the same
 * precedence the webhook applies), written to the status with the Conflict condition.
 */
final class NamespaceGovernance {
  private final PolicyPrecedence precedence;

  NamespaceGovernance(PolicyPrecedence precedence) {
    this.precedence = precedence;
  }

  void apply(
      TracingPolicy policy,
      List<TracingPolicy> all,
      Stream<Namespace> namespaces,
      TracingPolicyStatus status) {
    String self = Naming.policyId(policy);
    List<String> governed = new ArrayList<>();
    List<NamespaceConflict> conflicts = new ArrayList<>();
    namespaces
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
    status.setNamespaces(governed);
    status.setConflicts(conflicts);
    PolicyConditions.setOn(
        status,
        policy,
        PolicyConditions.CONFLICT,
        !conflicts.isEmpty(),
        conflicts.isEmpty() ? "NoConflict" : "NamespacesGovernedElsewhere",
        conflicts.isEmpty()
            ? "no selected namespace is governed by another policy"
            : conflicts.size()
                + " selected namespace(s) governed by another policy, e.g. "
                + conflicts.get(0).getNamespace()
                + " by "
                + conflicts.get(0).getGovernedBy());
  }
}
