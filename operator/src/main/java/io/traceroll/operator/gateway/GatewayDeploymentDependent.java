package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.policy.Naming;

/**
 * The tail-sampling gateway: exactly one replica, since every span of a trace must reach the same
 * instance for the decision to see the whole trace.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GatewayDeploymentDependent extends NamedChildDependent<Deployment> {

  public GatewayDeploymentDependent() {
    super(Deployment.class, Naming::gateway, ChildObjects.GATEWAY_COMPONENT);
  }

  @Override
  protected Deployment desired(TracingPolicy policy, Context<TracingPolicy> context) {
    String headers = GatewayHeadersSecretDependent.headersJson(policy, context.getClient());
    return new DeploymentBuilder()
        .withMetadata(metadata(policy))
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(ChildObjects.gatewaySelector(policy))
        .endSelector()
        .withTemplate(GatewayPodTemplate.build(policy, headers))
        .endSpec()
        .build();
  }
}
