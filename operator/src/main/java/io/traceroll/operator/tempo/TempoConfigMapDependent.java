package io.traceroll.operator.tempo;

import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;

/** The ConfigMap holding tempo.yaml. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoConfigMapDependent extends NamedChildDependent<ConfigMap> {

  public TempoConfigMapDependent() {
    super(ConfigMap.class, ChildObjects::tempoConfigName);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(
            ChildObjects.metadata(
                policy, ChildObjects.tempoConfigName(policy), ChildObjects.TEMPO_COMPONENT))
        .addToData(TempoPodTemplate.CONFIG_FILE, TempoConfigRenderer.render(policy))
        .build();
  }
}
