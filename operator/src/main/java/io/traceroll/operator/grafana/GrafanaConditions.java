package io.traceroll.operator.grafana;

import io.traceroll.operator.tempo.BackendConditions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.traceroll.api.v1alpha1.GrafanaDatasource;
import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * Workflow precondition for the Grafana data source. When it stops holding (disabled, removed, or
 * the backend no longer a Tempo), the workflow deletes the ConfigMap.
 */
public final class GrafanaConditions {
  private GrafanaConditions() {}

  public static boolean requested(TracingPolicy policy) {
    var grafana = policy.getSpec().getGrafana();
    GrafanaDatasource datasource = grafana == null ? null : grafana.getDatasource();
    return datasource != null && datasource.isEnabled() && BackendConditions.tempo(policy) != null;
  }

  /** The policy asks for a Grafana data source for the Tempo it runs. */
  public static class DatasourceRequested implements Condition<HasMetadata, TracingPolicy> {
    @Override
    public boolean isMet(
        DependentResource<HasMetadata, TracingPolicy> dependent,
        TracingPolicy policy,
        Context<TracingPolicy> context) {
      return requested(policy);
    }
  }
}
