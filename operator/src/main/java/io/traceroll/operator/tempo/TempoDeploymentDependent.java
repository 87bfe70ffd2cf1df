package io.traceroll.operator.tempo;

import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;

/** Tempo without a volume of its own (storage memory or s3): a one-replica Deployment. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoDeploymentDependent extends NamedChildDependent<Deployment> {

  public TempoDeploymentDependent() {
    super(Deployment.class, ChildObjects::tempoName);
  }

  @Override
  protected Deployment desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new DeploymentBuilder()
        .withMetadata(
            ChildObjects.metadata(
                policy, ChildObjects.tempoName(policy), ChildObjects.TEMPO_COMPONENT))
        .withNewSpec()
        .withReplicas(1)
        .withNewStrategy()
        .withType("Recreate")
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(ChildObjects.tempoSelector(policy))
        .endSelector()
        .withTemplate(TempoPodTemplate.build(policy))
        .endSpec()
        .build();
  }
}
