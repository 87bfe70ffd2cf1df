package io.traceroll.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The workloads a policy's rollout rolled back, read from its status: their pods get nothing while
 * the policy's injection is the one that failed, so a rollback needs no opt-out written into the
 * workload (which Git may own): the webhook, reading the policy from its cache, and the rollout
 * agree through this one list. A changed injection, or a new traceroll.io/retry value on the
 * policy, ends it.
 */
public record RolledBackWorkloads(List<Entry> entries) {
  public static final RolledBackWorkloads NONE = new RolledBackWorkloads(List.of());

  /** One rolled-back workload: its key, namespace and pod selector. */
  public record Entry(String key, String namespace, LabelSelector selector) {}

  public RolledBackWorkloads {
    entries = List.copyOf(entries);
  }

  /** The policy's rolled-back workloads for the injection with this hash. */
  public static RolledBackWorkloads of(TracingPolicy policy, String injectionHash) {
    return of(
        Optional.ofNullable(policy.getStatus()).map(s -> s.getRollout()).orElse(null),
        injectionHash);
  }

  public static RolledBackWorkloads of(RolloutStatus rollout, String injectionHash) {
    if (rollout == null || rollout.getWorkloads() == null) {
      return NONE;
    }
    return new RolledBackWorkloads(
        rollout.getWorkloads().stream()
            .filter(w -> w.getPhase() == WorkloadPhase.RolledBack)
            .filter(w -> w.getSelector() != null && injectionHash.equals(w.getTarget()))
            .map(w -> new Entry(w.key(), w.getNamespace(), w.getSelector()))
            .toList());
  }

  /** The rolled-back workload whose selector picks a pod with these labels in the namespace. */
  public Optional<Entry> match(String namespace, Map<String, String> labels) {
    if (namespace == null) {
      return Optional.empty();
    }
    return entries.stream()
        .filter(e -> e.namespace().equals(namespace) && selects(e.selector(), labels))
        .findFirst();
  }

  /** An empty selector would select every pod: never treated as this workload's. */
  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    boolean empty =
        (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
            && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
    return !empty && LabelSelectors.matches(selector, labels);
  }
}
