package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.policy.Naming;

/** The ConfigMap holding tempo.yaml. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoConfigMapDependent extends NamedChildDependent<ConfigMap> {

  /** The policy runs Tempo at all: its config and Service. */
  public static class TempoSelected extends PolicyPrecondition {
    public TempoSelected() {
      super(policy -> tempo(policy) != null);
    }
  }

  public TempoConfigMapDependent() {
    super(ConfigMap.class, Naming::tempoConfig, ChildObjects.TEMPO_COMPONENT);
  }

  /** The policy's Tempo backend, or null when it sends to an external endpoint. */
  public static TempoBackend tempo(TracingPolicy policy) {
    return policy.getSpec().getBackend() == null ? null : policy.getSpec().getBackend().getTempo();
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(policy))
        .addToData(TempoPodTemplate.CONFIG_FILE, TempoConfigRenderer.render(policy))
        .build();
  }
}
