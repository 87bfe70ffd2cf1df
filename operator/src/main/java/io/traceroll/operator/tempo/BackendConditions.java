package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;

/** Workflow preconditions: which Tempo objects a policy's backend calls for. */
public final class BackendConditions {
  private BackendConditions() {}

  static TempoBackend tempo(TracingPolicy policy) {
    return policy.getSpec().getBackend() == null ? null : policy.getSpec().getBackend().getTempo();
  }

  /** The policy runs Tempo at all (config and Service). */
  public static class TempoSelected implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      return tempo(policy) != null;
    }
  }

  /** Tempo keeps blocks on a persistent volume: a StatefulSet. */
  public static class TempoOnVolume implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      TempoBackend tempo = tempo(policy);
      return tempo != null && tempo.getStorage().getType() == StorageType.PV;
    }
  }

  /** Tempo keeps no volume of its own (memory or s3): a Deployment. */
  public static class TempoWithoutVolume implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      TempoBackend tempo = tempo(policy);
      return tempo != null && tempo.getStorage().getType() != StorageType.PV;
    }
  }
}
