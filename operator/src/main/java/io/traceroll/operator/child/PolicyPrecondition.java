package io.traceroll.operator.child;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.function.Predicate;

/**
 * A workflow precondition decided by the policy's spec alone. When it stops holding, the workflow
 * deletes the child it guards. Each dependent nests the ones it is gated by.
 */
public abstract class PolicyPrecondition implements Condition<HasMetadata, TracingPolicy> {
  private final Predicate<TracingPolicy> holds;

  protected PolicyPrecondition(Predicate<TracingPolicy> holds) {
    this.holds = holds;
  }

  @Override
  public final boolean isMet(
      DependentResource<HasMetadata, TracingPolicy> dependent,
      TracingPolicy policy,
      Context<TracingPolicy> context) {
    return holds.test(policy);
  }
}
