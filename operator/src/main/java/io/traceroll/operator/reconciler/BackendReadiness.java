package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Optional;

/** What BackendReady means: Tempo has a ready replica, or the endpoint is external. */
public final class BackendReadiness {
  /** The evaluated BackendReady condition. */
  public record Result(boolean ready, String reason, String message) {}

  private BackendReadiness() {}

  public static Result evaluate(TracingPolicy policy, Context<TracingPolicy> context) {
    var backend = policy.getSpec().getBackend();
    if (backend.getOtlpEndpoint() != null) {
      return new Result(
          true,
          PolicyConditions.REASON_EXTERNAL_ENDPOINT,
          "sending to " + backend.getOtlpEndpoint().getEndpoint());
    }
    boolean statefulSet = backend.getTempo().getStorage().getType() == StorageType.PV;
    Optional<Integer> ready =
        statefulSet
            ? context
                .getSecondaryResource(StatefulSet.class)
                .map(s -> s.getStatus() == null ? null : s.getStatus().getReadyReplicas())
            : context
                .getSecondaryResource(Deployment.class)
                .map(d -> d.getStatus() == null ? null : d.getStatus().getReadyReplicas());
    if (ready.orElse(0) >= 1) {
      return new Result(true, PolicyConditions.REASON_TEMPO_READY, "Tempo is ready");
    }
    return new Result(
        false,
        PolicyConditions.REASON_TEMPO_STARTING,
        "waiting for a ready Tempo pod of "
            + (statefulSet ? "StatefulSet " : "Deployment ")
            + policy.getMetadata().getName()
            + "-tempo");
  }
}
