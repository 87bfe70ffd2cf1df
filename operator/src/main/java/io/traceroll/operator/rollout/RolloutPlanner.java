package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import java.util.List;

/**
 * Decides, from a workload and its pods alone, whether it needs a restart: to get the policy's
 * current injection, or to lose an injection that no longer applies. Pure.
 */
public final class RolloutPlanner {
  /** The target of a restart that removes the agent. */
  public static final String NONE = "none";

  /** What a workload needs. */
  public enum Action {
    NOTHING,
    INSTRUMENT,
    REMOVE
  }

  private RolloutPlanner() {}

  /**
   * @param policyId {@code <ns>.<name>} of the policy
   * @param desiredHash the policy's current injection hash if it governs the workload's namespace
   *     (and the workload's pods match its pod selector), else null
   */
  public static Action plan(
      String policyId, String desiredHash, Workload workload, List<PodFacts> pods) {
    List<PodFacts> live = pods.stream().filter(p -> !p.terminating()).toList();
    if (live.isEmpty()) {
      return Action.NOTHING;
    }
    boolean anyOurs = live.stream().anyMatch(p -> injectedBy(policyId, p));
    if (desiredHash == null || workload.optedOut()) {
      return anyOurs ? Action.REMOVE : Action.NOTHING;
    }
    boolean allCurrent =
        live.stream()
            .allMatch(
                p -> desiredHash.equals(p.annotations().get(Traceroll.INJECTION_HASH_ANNOTATION)));
    return allCurrent ? Action.NOTHING : Action.INSTRUMENT;
  }

  /** The value a restart for this action writes to traceroll.io/restarted-for. */
  public static String target(Action action, String desiredHash) {
    return action == Action.REMOVE ? NONE : desiredHash;
  }

  static boolean injectedBy(String policyId, PodFacts pod) {
    String injected = pod.annotations().get(Traceroll.INJECTED_ANNOTATION);
    return injected != null && injected.startsWith(policyId + "@");
  }
}
