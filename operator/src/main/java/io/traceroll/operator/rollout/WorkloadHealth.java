package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The health gate of a restarted workload: passed when its controller finished the rollout with
 * every new pod ready; failed when a new pod crash-loops or restarts too often, or when the timeout
 * passes first. Pure.
 */
final class WorkloadHealth {
  /** The gate's verdict. */
  record Verdict(State state, String reason) {
    public enum State {
      PASSED,
      WAITING,
      FAILED
    }
  }

  private WorkloadHealth() {}

  static Verdict evaluate(
      Workload workload,
      List<PodFacts> pods,
      String revision,
      Instant startedAt,
      Instant now,
      Duration timeout,
      int maxRestarts) {
    List<PodFacts> fresh =
        pods.stream()
            .filter(p -> !p.terminating())
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
      return new Verdict(Verdict.State.PASSED, fresh.size() + " new pod(s) ready");
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
