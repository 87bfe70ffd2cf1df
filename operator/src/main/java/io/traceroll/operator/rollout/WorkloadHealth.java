package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The health gate of a restarted workload: passed when its controller finished the rollout with
 * every new pod ready (and, when instrumenting, carrying the injection it was restarted for);
 * failed when a new pod crash-loops or restarts too often, or when the timeout passes first; not
 * injected when its new pods run without the agent (the webhook failed open). Pure.
 */
final class WorkloadHealth {
  /** The gate's verdict. */
  record Verdict(State state, String reason) {
    public enum State {
      PASSED,
      WAITING,
      FAILED,
      NOT_INJECTED
    }
  }

  private WorkloadHealth() {}

  /**
   * @param injectionHash the injection the restart is for, which the new pods must carry; null when
   *     taking the agent out
   */
  static Verdict evaluate(
      Workload workload,
      List<PodFacts> pods,
      String revision,
      String injectionHash,
      boolean requireAgent,
      Instant startedAt,
      Instant now,
      Duration timeout,
      int maxRestarts) {
    List<PodFacts> fresh =
        pods.stream()
            .filter(p -> !p.gone())
            .filter(p -> revision.equals(p.annotations().get(Traceroll.RESTARTED_AT_ANNOTATION)))
            .toList();
    for (PodFacts pod : fresh) {
      if (pod.failingReason() != null) {
        return failed("pod " + pod.name() + " " + pod.failingReason());
      }
      if (pod.maxRestartCount() > maxRestarts) {
        return failed(
            "pod "
                + pod.name()
                + " restarted "
                + pod.maxRestartCount()
                + " times (max "
                + maxRestarts
                + ")");
      }
    }
    boolean allReady =
        fresh.size() >= workload.desired() && fresh.stream().allMatch(PodFacts::ready);
    if (workload.rolledOut() && allReady) {
      long without =
          injectionHash == null
              ? 0
              : fresh.stream()
                  .filter(
                      p ->
                          !injectionHash.equals(
                              p.annotations().get(Traceroll.INJECTION_HASH_ANNOTATION)))
                  .count();
      if (without > 0) {
        return new Verdict(
            Verdict.State.NOT_INJECTED,
            without
                + " of "
                + fresh.size()
                + " new pod(s) run without the agent (admitted while the webhook was not"
                + " reachable?)");
      }
      boolean agentsChecked = injectionHash != null && requireAgent;
      long silent =
          agentsChecked
              ? fresh.stream()
                  .filter(p -> !p.annotations().containsKey(Traceroll.AGENT_SEEN_ANNOTATION))
                  .count()
              : 0;
      if (silent == 0) {
        return new Verdict(
            Verdict.State.PASSED,
            fresh.size() + " new pod(s) ready" + (agentsChecked ? ", their agents reporting" : ""));
      }
      if (now.isAfter(startedAt.plus(timeout))) {
        return failed(
            "injected but silent: "
                + silent
                + " of "
                + fresh.size()
                + " new pods' agents never contacted the operator within "
                + timeout.toSeconds()
                + "s (the agent did not start, or the pods cannot reach the operator's sampling"
                + " Service)");
      }
      return new Verdict(
          Verdict.State.WAITING,
          "waiting for " + silent + " of " + fresh.size() + " agents to contact the operator");
    }
    if (now.isAfter(startedAt.plus(timeout))) {
      return failed(
          "not rolled out within "
              + timeout.toSeconds()
              + "s ("
              + fresh.stream().filter(PodFacts::ready).count()
              + "/"
              + workload.desired()
              + " new pods ready)");
    }
    return new Verdict(Verdict.State.WAITING, "waiting for new pods");
  }

  private static Verdict failed(String reason) {
    return new Verdict(Verdict.State.FAILED, reason);
  }
}
