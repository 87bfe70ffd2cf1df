package io.traceroll.e2e.traces;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.traceroll.e2e.traces.JaegerTrace.Span;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The harness works: two agent JVMs, one HTTP hop between them, one trace in a real Jaeger. */
class AgentTracesE2eTest {
  static JaegerBackend jaeger;
  static AgentJvm callee;
  static AgentJvm caller;

  @BeforeAll
  static void start() throws Exception {
    jaeger = JaegerBackend.start();
    callee = AgentJvm.start("callee", agentEnv("callee", "callee-7d9f-abcde"));
    caller = AgentJvm.start("caller", agentEnv("caller", "caller-5c6b-fghij"), callee.url("/"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {caller, callee, jaeger}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  void callAcrossTwoAgentJvmsIsOneTraceWithBothServices() throws Exception {
    assertThat(caller.get("/checkout")).isEqualTo("hello");

    JaegerTrace trace =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> jaeger.traces("callee"),
                traces ->
                    traces.size() == 1
                        && traces.get(0).span("callee", "server").isPresent()
                        && traces.get(0).span("caller", "client").isPresent()
                        && traces.get(0).span("caller", "server").isPresent())
            .get(0);

    Span checkout = trace.span("caller", "server").orElseThrow();
    Span call = trace.span("caller", "client").orElseThrow();
    Span hello = trace.span("callee", "server").orElseThrow();
    assertThat(trace.services()).containsExactly("callee", "caller");
    assertThat(call.isChildOf(checkout)).isTrue();
    assertThat(hello.isChildOf(call)).as("traceparent crossed the HTTP hop").isTrue();
    assertThat(checkout.parentSpanId()).isNull();
    // The agent names JDK HttpServer server spans by method and context path, which is what
    // per-operation sampling strategies match on.
    assertThat(checkout.operationName()).isEqualTo("GET /checkout");
    assertThat(hello.operationName()).isEqualTo("GET /hello");
    assertThat(hello.processTags())
        .containsEntry("k8s.namespace.name", "shop")
        .containsEntry("k8s.pod.name", "callee-7d9f-abcde");
    assertThat(callee.logs()).contains("trace_id=" + trace.traceId());
  }

  /** What the webhook gives a pod, with the exporter pointed at the test's Jaeger. */
  static Map<String, String> agentEnv(String service, String pod) {
    return Map.of(
        "JAVA_TOOL_OPTIONS", "-javaagent:" + AgentJvm.agentJar(),
        "OTEL_SERVICE_NAME", service,
        "OTEL_EXPORTER_OTLP_ENDPOINT", jaeger.otlpGrpcEndpoint(),
        "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
        "OTEL_TRACES_SAMPLER", "parentbased_always_on",
        "OTEL_RESOURCE_ATTRIBUTES", "k8s.namespace.name=shop,k8s.pod.name=" + pod,
        "OTEL_METRICS_EXPORTER", "none",
        "OTEL_LOGS_EXPORTER", "none",
        "OTEL_BSP_SCHEDULE_DELAY", "500");
  }
}
