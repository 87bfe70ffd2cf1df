package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayConfigMapDependent;
import io.traceroll.policy.Naming;
import java.util.function.Function;

/**
 * What BackendReady means: Tempo has a ready replica, or the endpoint is external; and, with tail
 * sampling, the gateway agents export to has a ready replica too.
 */
public final class BackendReadiness {
  /** The evaluated BackendReady condition. */
  public record Result(boolean ready, String reason, String message) {}

  private BackendReadiness() {}

  public static Result evaluate(TracingPolicy policy, Context<TracingPolicy> context) {
    Result store = traceStore(policy, context);
    if (!store.ready() || !GatewayConfigMapDependent.requested(policy)) {
      return store;
    }
    String gateway = Naming.gateway(policy);
    if (readyReplicas(context, Deployment.class, gateway, BackendReadiness::ready) >= 1) {
      return new Result(
          true, store.reason(), store.message() + " through the tail-sampling gateway");
    }
    return new Result(
        false,
        PolicyConditions.REASON_GATEWAY_STARTING,
        "waiting for a ready pod of the tail-sampling gateway, Deployment " + gateway);
  }

  private static Result traceStore(TracingPolicy policy, Context<TracingPolicy> context) {
    var backend = policy.getSpec().getBackend();
    if (backend.getOtlpEndpoint() != null) {
      return new Result(
          true,
          PolicyConditions.REASON_EXTERNAL_ENDPOINT,
          "sending to " + backend.getOtlpEndpoint().getEndpoint());
    }
    boolean statefulSet = backend.getTempo().getStorage().getType() == StorageType.PV;
    String tempo = Naming.tempo(policy);
    int ready =
        statefulSet
            ? readyReplicas(context, StatefulSet.class, tempo, BackendReadiness::ready)
            : readyReplicas(context, Deployment.class, tempo, BackendReadiness::ready);
    if (ready >= 1) {
      return new Result(true, PolicyConditions.REASON_TEMPO_READY, "Tempo is ready");
    }
    return new Result(
        false,
        PolicyConditions.REASON_TEMPO_STARTING,
        "waiting for a ready Tempo pod of "
            + (statefulSet ? "StatefulSet " : "Deployment ")
            + tempo);
  }

  /**
   * Ready replicas of the named child. Looked up by name: the Tempo and the gateway Deployment of a
   * policy both sit in the Deployment caches.
   */
  private static <R extends HasMetadata> int readyReplicas(
      Context<TracingPolicy> context,
      Class<R> type,
      String name,
      Function<R, Integer> readyReplicas) {
    return context
        .getSecondaryResourcesAsStream(type)
        .filter(r -> name.equals(r.getMetadata().getName()))
        .findFirst()
        .map(readyReplicas)
        .orElse(0);
  }

  private static int ready(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }

  private static int ready(StatefulSet s) {
    return s.getStatus() == null || s.getStatus().getReadyReplicas() == null
        ? 0
        : s.getStatus().getReadyReplicas();
  }
}
