package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.policy.Naming;

/** Tempo without a volume of its own (storage memory or s3): a one-replica Deployment. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoDeploymentDependent extends NamedChildDependent<Deployment> {

  /** Tempo keeps no volume of its own (memory or s3): a Deployment. */
  public static class TempoWithoutVolume extends PolicyPrecondition {
    public TempoWithoutVolume() {
      super(
          policy -> {
            var tempo = TempoConfigMapDependent.tempo(policy);
            return tempo != null && tempo.getStorage().getType() != StorageType.PV;
          });
    }
  }

  public TempoDeploymentDependent() {
    super(Deployment.class, Naming::tempo, ChildObjects.TEMPO_COMPONENT);
  }

  @Override
  protected Deployment desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new DeploymentBuilder()
        .withMetadata(metadata(policy))
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
