package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * Workflow preconditions for the tail-sampling gateway. When one stops holding, the workflow
 * deletes the object it guards.
 */
public final class GatewayConditions {
  private GatewayConditions() {}

  public static boolean requested(TracingPolicy policy) {
    return policy.getSpec().getSampling() != null
        && policy.getSpec().getSampling().getTail() != null;
  }

  /** The policy asks for tail sampling: config, Deployment and Service. */
  public static class TailSamplingRequested implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      return requested(policy);
    }
  }

  /** The gateway sends the backend's headers from a Secret: the gateway's copy of them. */
  public static class GatewaySendsHeaders implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      return requested(policy)
          && policy.getSpec().getBackend() != null
          && GatewayConfigRenderer.sendsHeaders(policy);
    }
  }
}
