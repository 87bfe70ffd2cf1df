package io.traceroll.operator.reconciler;

import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.operator.rollout.RolloutExecutor;
import io.traceroll.operator.rollout.WorkloadCache;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy's rollout as the reconciler drives it: one executor step over the governed namespaces,
 * reported as status, RolloutProgressing/Degraded conditions and Events.
 */
final class PolicyRollout {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyRollout.class);

  private final WorkloadCache workloads;
  private final RolloutExecutor executor;

  PolicyRollout(WorkloadCache workloads) {
    this.workloads = workloads;
    this.executor = new RolloutExecutor(workloads);
  }

  /** The caches the rollout reads have synced; before that, nothing is decided. */
  boolean ready() {
    return workloads.hasSynced();
  }

  /** One step towards the policy's injection in {@code governed} (none: take it all out). */
  RolloutExecutor.Outcome step(TracingPolicy policy, Set<String> governed) {
    TracingPolicyStatus previous = policy.getStatus();
    return executor.step(
        Naming.policyId(policy),
        policy.getSpec().getRollout(),
        previous == null ? null : previous.getRollout(),
        governed,
        InjectionSettings.of(policy).injectionHash(),
        Instant.now());
  }

  /** Whether no pod carries the policy's injection any more. */
  boolean agentGone(TracingPolicy policy) {
    return workloads.namespacesInjectedBy(Naming.policyId(policy)).isEmpty();
  }

  /** Writes an outcome into the status and records its Events. */
  void report(
      TracingPolicy policy,
      TracingPolicyStatus status,
      RolloutExecutor.Outcome outcome,
      EventRecorder events) {
    var r = outcome.status();
    status.setRollout(r);
    boolean moving =
        r.getRestarting() > 0
            || r.getWorkloads().stream().anyMatch(w -> w.getPhase() == WorkloadPhase.Pending);
    long generation = policy.getMetadata().getGeneration();
    status.setConditions(
        PolicyConditions.set(
            status.getConditions(),
            PolicyConditions.ROLLOUT_PROGRESSING,
            moving,
            moving
                ? (policy.getSpec().getRollout().isPaused() ? "Paused" : "Restarting")
                : "Complete",
            r.getSummary() + " workloads instrumented, " + r.getRestarting() + " restarting",
            generation));
    status.setConditions(
        PolicyConditions.set(
            status.getConditions(),
            PolicyConditions.DEGRADED,
            outcome.degraded(),
            outcome.degraded() ? "TooManyFailures" : "Healthy",
            r.getFailed() + " failed, " + r.getRolledBack() + " rolled back",
            generation));
    for (RolloutExecutor.Event e : outcome.events()) {
      LOG.warn("policy {}: {} {}", Naming.policyId(policy), e.reason(), e.message());
      events.warning(policy, e.reason(), e.message());
    }
  }
}
