package io.traceroll.operator.gateway;

import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;

/** The ConfigMap holding the tail-sampling gateway's collector config. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GatewayConfigMapDependent extends NamedChildDependent<ConfigMap> {

  public GatewayConfigMapDependent() {
    super(ConfigMap.class, ChildObjects::gatewayConfigName);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(
            ChildObjects.metadata(
                policy, ChildObjects.gatewayConfigName(policy), ChildObjects.GATEWAY_COMPONENT))
        .addToData(GatewayPodTemplate.CONFIG_FILE, GatewayConfigRenderer.render(policy))
        .build();
  }
}
