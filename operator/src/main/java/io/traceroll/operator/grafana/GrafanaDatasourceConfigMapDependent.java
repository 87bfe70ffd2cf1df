package io.traceroll.operator.grafana;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.GrafanaDatasource;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.operator.tempo.TempoConfigMapDependent;
import io.traceroll.policy.Naming;

/**
 * The Grafana data source provisioning file for the policy's Tempo, labelled for Grafana's
 * datasource sidecar. It lives in the policy's namespace, so the policy owns it and garbage
 * collection removes it with the policy.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GrafanaDatasourceConfigMapDependent extends NamedChildDependent<ConfigMap> {

  /**
   * The policy asks for a data source for the Tempo it runs. When this stops holding (disabled,
   * removed, or the backend no longer a Tempo) the workflow deletes the ConfigMap.
   */
  public static class DatasourceRequested extends PolicyPrecondition {
    public DatasourceRequested() {
      super(GrafanaDatasourceConfigMapDependent::requested);
    }
  }

  /** Whether the policy asks for a Grafana data source of the Tempo it runs. */
  public static boolean requested(TracingPolicy policy) {
    var grafana = policy.getSpec().getGrafana();
    GrafanaDatasource datasource = grafana == null ? null : grafana.getDatasource();
    return datasource != null
        && datasource.isEnabled()
        && TempoConfigMapDependent.tempo(policy) != null;
  }

  public GrafanaDatasourceConfigMapDependent() {
    super(ConfigMap.class, Naming::grafanaDatasource, ChildObjects.GRAFANA_COMPONENT);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(policy))
        .editMetadata()
        .addToLabels(Traceroll.GRAFANA_DATASOURCE_LABEL, Traceroll.GRAFANA_DATASOURCE_LABEL_VALUE)
        .endMetadata()
        .addToData(
            GrafanaDatasourceRenderer.fileName(policy), GrafanaDatasourceRenderer.render(policy))
        .build();
  }
}
