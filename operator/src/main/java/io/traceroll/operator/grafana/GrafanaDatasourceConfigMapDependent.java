package io.traceroll.operator.grafana;

import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * The Grafana data source provisioning file for the policy's Tempo, labelled for Grafana's
 * datasource sidecar. It lives in the policy's namespace, so the policy owns it and garbage
 * collection removes it with the policy.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GrafanaDatasourceConfigMapDependent extends NamedChildDependent<ConfigMap> {

  public GrafanaDatasourceConfigMapDependent() {
    super(ConfigMap.class, ChildObjects::grafanaDatasourceName);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(
            ChildObjects.metadata(
                policy, ChildObjects.grafanaDatasourceName(policy), ChildObjects.GRAFANA_COMPONENT))
        .editMetadata()
        .addToLabels(Traceroll.GRAFANA_DATASOURCE_LABEL, Traceroll.GRAFANA_DATASOURCE_LABEL_VALUE)
        .endMetadata()
        .addToData(
            GrafanaDatasourceRenderer.fileName(policy), GrafanaDatasourceRenderer.render(policy))
        .build();
  }
}
