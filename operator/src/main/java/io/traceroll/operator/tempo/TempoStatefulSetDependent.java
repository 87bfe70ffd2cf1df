package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoStorage;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.policy.Naming;

/** Tempo on a persistent volume (storage type pv): a one-replica StatefulSet with a PVC. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoStatefulSetDependent extends NamedChildDependent<StatefulSet> {

  /** Tempo keeps blocks on a persistent volume: a StatefulSet. */
  public static class TempoOnVolume extends PolicyPrecondition {
    public TempoOnVolume() {
      super(
          policy -> {
            var tempo = TempoConfigMapDependent.tempo(policy);
            return tempo != null && tempo.getStorage().getType() == StorageType.PV;
          });
    }
  }

  public TempoStatefulSetDependent() {
    super(StatefulSet.class, Naming::tempo, ChildObjects.TEMPO_COMPONENT);
  }

  @Override
  protected StatefulSet desired(TracingPolicy policy, Context<TracingPolicy> context) {
    TempoStorage storage = policy.getSpec().getBackend().getTempo().getStorage();
    return new StatefulSetBuilder()
        .withMetadata(metadata(policy))
        .withNewSpec()
        .withReplicas(1)
        .withServiceName(Naming.tempo(policy))
        .withNewSelector()
        .withMatchLabels(ChildObjects.tempoSelector(policy))
        .endSelector()
        .withTemplate(TempoPodTemplate.build(policy))
        .addNewVolumeClaimTemplate()
        .withNewMetadata()
        .withName(TempoPodTemplate.DATA_VOLUME)
        .withLabels(ChildObjects.tempoSelector(policy))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources()
        .addToRequests("storage", storage.effectiveSize())
        .endResources()
        .endSpec()
        .endVolumeClaimTemplate()
        .endSpec()
        .build();
  }
}
