package io.traceroll.operator.grafana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.traceroll.api.v1alpha1.GrafanaDatasource;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.tempo.TempoPorts;
import io.traceroll.policy.Naming;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a Grafana data source provisioning file for a policy's Tempo: the Tempo query endpoint,
 * linked to the Prometheus series its metrics generator writes and, when given, to Loki logs.
 * Grafana expands $VAR in provisioning files, so a literal $ in a query is written $$.
 */
public final class GrafanaDatasourceRenderer {
  /** Grafana's longest data source uid. */
  static final int MAX_UID_LENGTH = 40;

  /** Span metrics labels (Tempo names them after the sanitized attribute) a span links with. */
  static final List<Map<String, Object>> METRICS_TAGS =
      List.of(
          map("key", "service.name", "value", "service"),
          map("key", "k8s.namespace.name", "value", "k8s_namespace_name"));

  /** Loki labels of the usual Kubernetes log collectors (service_name, namespace). */
  static final List<Map<String, Object>> LOGS_TAGS =
      List.of(
          map("key", "service.name", "value", "service_name"),
          map("key", "k8s.namespace.name", "value", "namespace"));

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              // One query a line, as a person would write it in the provisioning file.
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private GrafanaDatasourceRenderer() {}

  public static String render(TracingPolicy policy) {
    GrafanaDatasource spec = policy.getSpec().getGrafana().getDatasource();
    Map<String, Object> datasource = new LinkedHashMap<>();
    datasource.put("name", name(policy));
    datasource.put("type", "tempo");
    datasource.put("uid", uid(policy));
    datasource.put("access", "proxy");
    datasource.put("url", queryUrl(policy));
    datasource.put("editable", false);
    datasource.put("jsonData", jsonData(policy, spec));
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("apiVersion", 1);
    // Removes the data source from Grafana once this file is gone (the policy or setting removed).
    file.put("prune", true);
    file.put("datasources", List.of(datasource));
    try {
      return YAML.writeValueAsString(file);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the Grafana data source", e);
    }
  }

  /** The file name in the ConfigMap: the sidecar puts every policy's file in one folder. */
  public static String fileName(TracingPolicy policy) {
    return "traceroll-"
        + policy.getMetadata().getNamespace()
        + "."
        + policy.getMetadata().getName()
        + ".yaml";
  }

  /** Tempo's query API, where Grafana reads traces, in the policy's namespace. */
  public static String queryUrl(TracingPolicy policy) {
    return "http://"
        + Naming.tempo(policy)
        + "."
        + policy.getMetadata().getNamespace()
        + ".svc:"
        + TempoPorts.HTTP;
  }

  public static String name(TracingPolicy policy) {
    String name = policy.getSpec().getGrafana().getDatasource().getName();
    return name != null
        ? name
        : "Tempo ("
            + policy.getMetadata().getNamespace()
            + "/"
            + policy.getMetadata().getName()
            + ")";
  }

  /** The uid given, else tempo-<namespace>-<policy>, shortened with a hash past 40 characters. */
  public static String uid(TracingPolicy policy) {
    String uid = policy.getSpec().getGrafana().getDatasource().getUid();
    if (uid != null) {
      return uid;
    }
    String namespace = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    String readable = "tempo-" + namespace + "-" + name;
    if (readable.length() <= MAX_UID_LENGTH) {
      return readable;
    }
    String hash = sha256(namespace + "/" + name).substring(0, 8);
    return readable.substring(0, MAX_UID_LENGTH - hash.length() - 1) + "-" + hash;
  }

  private static Map<String, Object> jsonData(TracingPolicy policy, GrafanaDatasource spec) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("nodeGraph", map("enabled", true));
    if (generates(policy, MetricsProcessor.SERVICE_GRAPHS)) {
      json.put("serviceMap", map("datasourceUid", spec.getPrometheusDatasourceUid()));
    }
    if (generates(policy, MetricsProcessor.SPAN_METRICS)) {
      json.put("tracesToMetrics", tracesToMetrics(spec.getPrometheusDatasourceUid()));
    }
    if (spec.getLokiDatasourceUid() != null) {
      json.put("tracesToLogsV2", tracesToLogs(spec.getLokiDatasourceUid()));
    }
    return json;
  }

  /** RED queries over the span metrics of the span's service (and namespace). */
  private static Map<String, Object> tracesToMetrics(String prometheusUid) {
    Map<String, Object> link = new LinkedHashMap<>();
    link.put("datasourceUid", prometheusUid);
    link.put("spanStartTimeShift", "-5m");
    link.put("spanEndTimeShift", "5m");
    link.put("tags", METRICS_TAGS);
    link.put(
        "queries",
        List.of(
            map(
                "name",
                "Request rate",
                "query",
                "sum by (span_name) (rate(traces_spanmetrics_calls_total{$$__tags}[5m]))"),
            map(
                "name",
                "Error rate",
                "query",
                "sum by (span_name) (rate(traces_spanmetrics_calls_total{$$__tags,"
                    + " status_code=\"STATUS_CODE_ERROR\"}[5m]))"),
            map(
                "name",
                "Latency p95",
                "query",
                "histogram_quantile(0.95, sum by (le)"
                    + " (rate(traces_spanmetrics_latency_bucket{$$__tags}[5m])))")));
    return link;
  }

  /** The logs of the whole trace, around the span, from the span's service and namespace. */
  private static Map<String, Object> tracesToLogs(String lokiUid) {
    Map<String, Object> link = new LinkedHashMap<>();
    link.put("datasourceUid", lokiUid);
    link.put("spanStartTimeShift", "-1m");
    link.put("spanEndTimeShift", "1m");
    link.put("tags", LOGS_TAGS);
    link.put("filterByTraceID", true);
    link.put("filterBySpanID", false);
    return link;
  }

  private static boolean generates(TracingPolicy policy, MetricsProcessor processor) {
    MetricsGenerator generator = policy.getSpec().getBackend().getTempo().getMetricsGenerator();
    return generator != null && generator.getProcessors().contains(processor);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
