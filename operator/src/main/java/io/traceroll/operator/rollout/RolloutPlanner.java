package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.WorkloadAction;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, from a workload's pods, whether it needs a restart: to get the policy's current
 * injection, or to lose an injection that no longer applies. Whether the policy wants its agent in
 * the workload at all is the injection decision's answer ({@link StepContext#wants}). Pure.
 */
final class RolloutPlanner {
  private RolloutPlanner() {}

  /**
   * @param desiredHash the policy's current injection hash if it wants its agent in these pods,
   *     else null
   */
  static Optional<WorkloadAction> need(String policyId, String desiredHash, List<PodFacts> pods) {
    List<PodFacts> live = pods.stream().filter(p -> !p.gone()).toList();
    if (live.isEmpty()) {
      return Optional.empty();
    }
    if (desiredHash == null) {
      return live.stream().anyMatch(p -> injectedBy(policyId, p.annotations()))
          ? Optional.of(WorkloadAction.Remove)
          : Optional.empty();
    }
    boolean allCurrent =
        live.stream()
            .allMatch(
                p -> desiredHash.equals(p.annotations().get(Traceroll.INJECTION_HASH_ANNOTATION)));
    return allCurrent ? Optional.empty() : Optional.of(WorkloadAction.Instrument);
  }

  /** Whether a pod with these annotations carries the policy's injection. */
  static boolean injectedBy(String policyId, Map<String, String> podAnnotations) {
    String injected =
        podAnnotations == null ? null : podAnnotations.get(Traceroll.INJECTED_ANNOTATION);
    return injected != null && injected.startsWith(policyId + "@");
  }
}
