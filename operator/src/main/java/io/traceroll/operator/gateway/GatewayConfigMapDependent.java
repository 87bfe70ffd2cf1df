package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.policy.Naming;

/** The ConfigMap holding the tail-sampling gateway's collector config. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GatewayConfigMapDependent extends NamedChildDependent<ConfigMap> {

  /** The policy asks for tail sampling: the gateway's config, Deployment and Service. */
  public static class TailSamplingRequested extends PolicyPrecondition {
    public TailSamplingRequested() {
      super(GatewayConfigMapDependent::requested);
    }
  }

  /** Whether the policy asks for a tail-sampling gateway. */
  public static boolean requested(TracingPolicy policy) {
    return policy.getSpec().getSampling() != null
        && policy.getSpec().getSampling().getTail() != null;
  }

  public GatewayConfigMapDependent() {
    super(ConfigMap.class, Naming::gatewayConfig, ChildObjects.GATEWAY_COMPONENT);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(policy))
        .addToData(GatewayPodTemplate.CONFIG_FILE, GatewayConfigRenderer.render(policy))
        .build();
  }
}
