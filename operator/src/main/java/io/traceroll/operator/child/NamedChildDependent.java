package io.traceroll.operator.child;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.function.Function;

/**
 * A child of a policy found by its name alone, in the policy's namespace. JOSDK would otherwise
 * compute the desired object to find it, which is impossible when the spec no longer calls for the
 * child and it is about to be deleted.
 */
public abstract class NamedChildDependent<R extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, TracingPolicy> {
  private final Function<TracingPolicy, String> name;
  private final String component;

  /**
   * @param name the child's name (see {@link io.traceroll.policy.Naming})
   * @param component its app.kubernetes.io/component label (see {@link ChildObjects})
   */
  protected NamedChildDependent(
      Class<R> type, Function<TracingPolicy, String> name, String component) {
    super(type);
    this.name = name;
    this.component = component;
  }

  @Override
  protected ResourceID targetSecondaryResourceID(
      TracingPolicy policy, Context<TracingPolicy> context) {
    return new ResourceID(name.apply(policy), policy.getMetadata().getNamespace());
  }

  /** The child's metadata: its name, the policy's namespace and the component's labels. */
  protected ObjectMeta metadata(TracingPolicy policy) {
    return ChildObjects.metadata(policy, name.apply(policy), component);
  }
}
