package io.traceroll.operator.child;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Labels and metadata of the objects a policy owns (their names are in {@link
 * io.traceroll.policy.Naming}), shared by the dependents and the caches that select them.
 */
public final class ChildObjects {
  /** Selects every object the operator manages; the dependents' informers watch only these. */
  public static final String MANAGED_SELECTOR =
      Traceroll.MANAGED_BY_LABEL + "=" + Traceroll.MANAGED_BY;

  public static final String TEMPO_COMPONENT = "trace-store";
  public static final String SAMPLING_COMPONENT = "sampling";
  public static final String GATEWAY_COMPONENT = "gateway";
  public static final String GRAFANA_COMPONENT = "grafana-datasource";

  private ChildObjects() {}

  /** Labels that select the Tempo pods of a policy (stable: used in immutable selectors). */
  public static Map<String, String> tempoSelector(TracingPolicy policy) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Traceroll.NAME_LABEL, "tempo");
    labels.put(Traceroll.INSTANCE_LABEL, policy.getMetadata().getName());
    return labels;
  }

  /** Labels that select the gateway pods of a policy (stable: used in immutable selectors). */
  public static Map<String, String> gatewaySelector(TracingPolicy policy) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Traceroll.NAME_LABEL, appName(GATEWAY_COMPONENT));
    labels.put(Traceroll.INSTANCE_LABEL, policy.getMetadata().getName());
    return labels;
  }

  /** All labels of a child object of the given component. */
  public static Map<String, String> labels(TracingPolicy policy, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Traceroll.NAME_LABEL, appName(component));
    labels.put(Traceroll.INSTANCE_LABEL, policy.getMetadata().getName());
    labels.put(Traceroll.COMPONENT_LABEL, component);
    labels.put(Traceroll.MANAGED_BY_LABEL, Traceroll.MANAGED_BY);
    labels.put(Traceroll.POLICY_NAME_LABEL, policy.getMetadata().getName());
    return labels;
  }

  private static String appName(String component) {
    return switch (component) {
      case TEMPO_COMPONENT -> "tempo";
      case GATEWAY_COMPONENT -> "traceroll-gateway";
      case GRAFANA_COMPONENT -> "traceroll-grafana-datasource";
      default -> "traceroll-sampling";
    };
  }

  /** Metadata of a child: its name, the policy's namespace and the component labels. */
  public static ObjectMeta metadata(TracingPolicy policy, String name, String component) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(policy.getMetadata().getNamespace())
        .withLabels(labels(policy, component))
        .build();
  }
}
