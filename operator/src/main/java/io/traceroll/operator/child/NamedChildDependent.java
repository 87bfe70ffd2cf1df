package io.traceroll.operator.child;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.function.Function;

/**
 * A child found by its name alone. JOSDK would otherwise compute the desired object to find it,
 * which is impossible when the spec no longer calls for the child and it is about to be deleted.
 */
abstract class NamedChildDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, TracingPolicy> {
  private final Function<TracingPolicy, String> name;

  NamedChildDependent(Class<R> type, Function<TracingPolicy, String> name) {
    super(type);
    this.name = name;
  }

  @Override
  protected ResourceID targetSecondaryResourceID(
      TracingPolicy policy, Context<TracingPolicy> context) {
    return new ResourceID(name.apply(policy), policy.getMetadata().getNamespace());
  }
}
