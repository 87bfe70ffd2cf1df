package io.traceroll.operator.telemetry;

import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;

/** What the reconciler reports about each policy it reconciles: its rollout progress. */
public final class PolicyTelemetry {
  private final RolloutMetrics rollout;

  public PolicyTelemetry(RolloutMetrics rollout) {
    this.rollout = rollout;
  }

  /** After a reconcile or a cleanup step computed the policy's status. */
  public void reported(TracingPolicy policy, TracingPolicyStatus status) {
    rollout.record(
        policy.getMetadata().getNamespace(), policy.getMetadata().getName(), status.getRollout());
  }

  /** The policy is gone (its finalizer released): its series go too. */
  public void deleted(TracingPolicy policy) {
    rollout.remove(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
  }
}
