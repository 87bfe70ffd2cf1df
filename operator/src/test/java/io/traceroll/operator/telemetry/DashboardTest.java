package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.HealthServer;
import io.traceroll.operator.reconciler.MockCluster;
import io.traceroll.operator.sampling.SamplingServer;
import io.traceroll.operator.sampling.SamplingStore;
import io.traceroll.webhook.AdmissionHandler;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard queries only what the operator really exports: every metric name in its
 * PromQL is found in the scrape of a running operator's /metrics.
 */
class DashboardTest {
  static final Path DASHBOARD = Path.of("../docs/grafana/traceroll-dashboard.json");

  @Test
  void everyMetricTheDashboardQueriesIsExportedByARunningOperator() throws Exception {
    Set<String> queried = new TreeSet<>();
    expressions(dashboard()).forEach(e -> queried.addAll(metricNames(e)));
    Set<String> exported = exportedNames();

    assertThat(queried).isNotEmpty();
    assertThat(exported).containsAll(queried);
    // and every family of our own has a panel
    for (String family :
        List.of(
            "traceroll_admissions_total",
            "traceroll_admission_duration_seconds_bucket",
            "traceroll_rollout_workloads",
            "traceroll_rollout_governed_workloads",
            "traceroll_webhook_certificate_expiry_seconds",
            "traceroll_sampling_requests_total",
            "operator_sdk_controllers_execution_reconcile_seconds_bucket",
            "jvm_memory_used_bytes")) {
      assertThat(queried).contains(family);
    }
  }

  @Test
  void everyPanelAndQueryUsesTheDatasourceVariable() throws Exception {
    JsonNode dashboard = dashboard();
    JsonNode variable = null;
    for (JsonNode v : dashboard.at("/templating/list")) {
      if (v.path("name").asText().equals("DS_PROMETHEUS")) {
        variable = v;
      }
    }
    assertThat(variable).isNotNull();
    assertThat(variable.path("type").asText()).isEqualTo("datasource");
    assertThat(variable.path("query").asText()).isEqualTo("prometheus");

    List<JsonNode> datasources = new ArrayList<>();
    dashboard.findParents("expr").forEach(t -> datasources.add(t.path("datasource")));
    for (JsonNode panel : dashboard.path("panels")) {
      if (!panel.path("type").asText().equals("row")) {
        datasources.add(panel.path("datasource"));
      }
    }
    assertThat(datasources)
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d.path("uid").asText()).isEqualTo("${DS_PROMETHEUS}"));
  }

  @Test
  void readsMetricNamesOutOfPromQl() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, controller) (rate(a_seconds_bucket{x=\"y\","
                    + " z=~\"$policy\"}[$__rate_interval]))) / on (p) group_left b_total"
                    + " or vector(0) > bool 1"))
        .containsExactlyInAnyOrder("a_seconds_bucket", "b_total");
    assertThat(metricNames("label_values(traceroll_rollout_workloads, policy)"))
        .containsExactly("traceroll_rollout_workloads");
    assertThat(metricNames("max(up offset 5m) unless count without (job) (c:d)"))
        .containsExactlyInAnyOrder("up", "c:d");
  }

  /** Every metric name, scraped from /metrics of an operator with each kind of meter in use. */
  static Set<String> exportedNames() throws Exception {
    try (MockCluster cluster = new MockCluster()) {
      var registry = cluster.registry;
      // The webhook's and the sampling server's meters, as WebhookRuntime and Main register them.
      new AdmissionTelemetry(registry, SelfTracing.off())
          .admitted("shop", AdmissionHandler.Outcome.INJECTED, 1000);
      CertificateExpiry.register(registry, () -> null, Clock.systemUTC());
      try (SamplingStore store = new SamplingStore("traceroll-sampling.ops.svc.cluster.local")) {
        new SamplingServer(
                store, new InetSocketAddress(0), new InetSocketAddress("127.0.0.1", 0), registry)
            .close();
      }
      // A policy reconciled to a rollout status, for JOSDK's reconcile meters and our gauges.
      TracingPolicy policy;
      try (InputStream in = Files.newInputStream(Path.of("../examples/tracingpolicy-otlp.yaml"))) {
        policy = Serialization.unmarshal(in, TracingPolicy.class);
      }
      cluster.client.resource(policy).inNamespace("observability").create();
      await().until(registry::scrape, s -> s.contains("traceroll_rollout_workloads{"));
      // JOSDK registers its failure counters at the first failure: one, through JOSDK's own code.
      failOneReconcile(MicrometerMetrics.withoutPerResourceMetrics(registry));

      HealthServer health = new HealthServer(0, () -> true, registry);
      health.start();
      try {
        HttpResponse<String> metrics =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + health.port() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        return Scrape.of(metrics.body()).names();
      } finally {
        health.close();
      }
    }
  }

  static void failOneReconcile(Metrics metrics) {
    try {
      metrics.timeControllerExecution(
          new Metrics.ControllerExecution<Object>() {
            @Override
            public String name() {
              return "reconcile";
            }

            @Override
            public String controllerName() {
              return "tracingpolicy";
            }

            @Override
            public String successTypeName(Object result) {
              return "resource";
            }

            @Override
            public ResourceID resourceID() {
              return new ResourceID("failing", "observability");
            }

            @Override
            public Map<String, Object> metadata() {
              return Map.of(
                  Constants.RESOURCE_GVK_KEY,
                  GroupVersionKind.gvkFor(TracingPolicy.class),
                  Constants.CONTROLLER_NAME,
                  "tracingpolicy");
            }

            @Override
            public Object execute() {
              throw new IllegalStateException("failing on purpose");
            }
          });
    } catch (Exception expected) {
      // counted by JOSDK on the way out
    }
  }

  static JsonNode dashboard() throws Exception {
    return new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  /** Every PromQL expression: panel targets (rows included) and query variables. */
  static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    dashboard.findValues("expr").forEach(e -> out.add(e.asText()));
    for (JsonNode v : dashboard.at("/templating/list")) {
      if (v.path("type").asText().equals("query")) {
        out.add(v.at("/query/query").asText(v.path("query").asText()));
      }
    }
    return out;
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

  /** Metric names in a PromQL expression (or a Grafana label_values query). */
  static Set<String> metricNames(String expression) {
    String e =
        expression
            .replaceAll("label_values\\(\\s*([^,)]+)\\s*,[^)]*\\)", "$1")
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"") // strings
            .replaceAll("\\{[^}]*}", "") // label matchers
            .replaceAll("\\[[^]]*]", "") // ranges
            .replaceAll(
                "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "") // labels
            .replaceAll("\\b(group_left|group_right)\\b", "")
            .replaceAll("\\$\\{?\\w+}?", "") // Grafana variables
            .replaceAll("\\boffset\\s+\\w+", "");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(e);
    while (m.find()) {
      boolean partOfNumber = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
      boolean function = e.substring(m.end()).matches("(?s)\\s*\\(.*");
      if (!partOfNumber && !function && !KEYWORDS.contains(m.group().toLowerCase())) {
        names.add(m.group());
      }
    }
    return names;
  }
}
