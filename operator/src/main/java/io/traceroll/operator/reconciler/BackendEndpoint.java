package io.traceroll.operator.reconciler;

import io.traceroll.api.v1alpha1.BackendStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.Naming;
import io.traceroll.policy.OtlpTarget;

/** The backend of a policy as published in status. */
public final class BackendEndpoint {
  private BackendEndpoint() {}

  public static BackendStatus of(TracingPolicy policy) {
    String type =
        policy.getSpec().getBackend().getOtlpEndpoint() != null ? "otlpEndpoint" : "tempo";
    return new BackendStatus(type, OtlpTarget.of(policy).endpoint(), Naming.samplingConfig(policy));
  }
}
