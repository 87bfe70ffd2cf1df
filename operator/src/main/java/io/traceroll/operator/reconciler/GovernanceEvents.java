package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.cluster.ClusterView;
import java.util.Set;

/**
 * Reconciles every policy when a change may move which policy governs which namespace: a namespace
 * added, relabelled or deleted, a policy added, deleted or given a new generation. It listens to
 * the {@link ClusterView}'s caches, so nothing is watched twice for it.
 */
final class GovernanceEvents extends AbstractEventSource<Namespace, TracingPolicy> {
  private final IndexerResourceCache<TracingPolicy> policies;

  GovernanceEvents(ClusterView cluster, IndexerResourceCache<TracingPolicy> policies) {
    super(Namespace.class, "governance");
    this.policies = policies;
    cluster.onNamespaceChange(this::reconcileEveryPolicy);
    cluster.onPolicyChange(this::reconcileEveryPolicy);
    cluster.onImageVerdictsChange(this::reconcileEveryPolicy);
  }

  /** Namespaces are not secondary resources of a policy: they only trigger. */
  @Override
  public Set<Namespace> getSecondaryResources(TracingPolicy policy) {
    return Set.of();
  }

  private void reconcileEveryPolicy() {
    if (isRunning()) {
      policies
          .list()
          .forEach(p -> getEventHandler().handleEvent(new Event(ResourceID.fromResource(p))));
    }
  }
}
