package io.traceroll.operator.rollout;

import java.util.Set;

/**
 * Where a policy's agent still runs, split by whether a rollout restart can take it out: the
 * workloads (Kind/namespace/name) of a Deployment, StatefulSet or DaemonSet that a template patch
 * rolls, and the rest (Jobs and CronJobs, bare pods, other owners, workloads that wait for their
 * next restart), named by their owner or as the pod.
 */
public record InjectedPods(Set<String> restartable, Set<String> notRestartable) {
  public InjectedPods {
    restartable = Set.copyOf(restartable);
    notRestartable = Set.copyOf(notRestartable);
  }
}
