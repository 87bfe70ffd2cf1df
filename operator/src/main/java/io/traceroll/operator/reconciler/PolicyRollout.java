package io.traceroll.operator.reconciler;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.rollout.InjectedPods;
import io.traceroll.operator.rollout.RolloutExecutor;
import io.traceroll.operator.rollout.RolloutOutcome;
import io.traceroll.operator.rollout.StepContext;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import java.time.Instant;
import java.util.Set;

/** A policy's rollout as the reconciler drives it: one executor step over its namespaces. */
final class PolicyRollout {
  private final ClusterView cluster;
  private final RolloutExecutor.Cluster workloads;
  private final RolloutExecutor executor;

  PolicyRollout(ClusterView cluster, RolloutExecutor.Cluster workloads) {
    this.cluster = cluster;
    this.workloads = workloads;
    this.executor = new RolloutExecutor(workloads);
  }

  /** The caches the rollout reads have synced; before that, nothing is decided. */
  boolean ready() {
    return cluster.rolloutSynced();
  }

  /** One step towards the policy's injection in {@code governed} (none: take it all out). */
  RolloutOutcome step(TracingPolicy policy, Set<String> governed) {
    var previous = policy.getStatus();
    StepContext step =
        new StepContext(
            Naming.policyId(policy),
            policy.getSpec().getRollout(),
            InjectionSettings.of(policy),
            governed,
            Instant.now(),
            policy.getMetadata().getAnnotations() == null
                ? null
                : policy.getMetadata().getAnnotations().get(Traceroll.RETRY_ANNOTATION),
            cluster.imageVerdicts());
    return executor.step(step, previous == null ? null : previous.getRollout());
  }

  /**
   * The running pods that still carry the policy's agent: a deletion waits only for those a rollout
   * restart takes it out of.
   */
  InjectedPods injectedPods(TracingPolicy policy) {
    return workloads.injectedPods(Naming.policyId(policy));
  }
}
