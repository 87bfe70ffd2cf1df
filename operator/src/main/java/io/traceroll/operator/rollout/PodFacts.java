package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the rollout needs to know of a pod: its labels, annotations and container health.
 *
 * @param gone being deleted, or finished (Succeeded, or Failed as evicted pods are): no longer one
 *     of the workload's running pods, so neither planned for nor judged
 */
public record PodFacts(
    String name,
    Map<String, String> labels,
    Map<String, String> annotations,
    boolean ready,
    boolean gone,
    int maxRestartCount,
    String failingReason) {

  /** Waiting reasons that mean a container keeps failing. */
  static final List<String> FAILING =
      List.of("CrashLoopBackOff", "CreateContainerConfigError", "RunContainerError");

  public static PodFacts of(Pod pod) {
    var meta = pod.getMetadata();
    var status = pod.getStatus();
    boolean ready =
        status != null
            && status.getConditions() != null
            && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    int restarts = 0;
    String failing = null;
    List<ContainerStatus> containers = new ArrayList<>();
    if (status != null && status.getInitContainerStatuses() != null) {
      // The agent's copy runs as an init container: a pod stuck there fails the gate as well.
      containers.addAll(status.getInitContainerStatuses());
    }
    if (status != null && status.getContainerStatuses() != null) {
      containers.addAll(status.getContainerStatuses());
    }
    for (ContainerStatus c : containers) {
      restarts = Math.max(restarts, c.getRestartCount() == null ? 0 : c.getRestartCount());
      var waiting = c.getState() == null ? null : c.getState().getWaiting();
      if (waiting != null && FAILING.contains(waiting.getReason())) {
        failing = c.getName() + ": " + waiting.getReason();
      }
    }
    return new PodFacts(
        meta.getName(),
        meta.getLabels() == null ? Map.of() : meta.getLabels(),
        meta.getAnnotations() == null ? Map.of() : meta.getAnnotations(),
        ready,
        meta.getDeletionTimestamp() != null
            || (status != null
                && ("Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase()))),
        restarts,
        failing);
  }
}
