package io.traceroll.e2e;

import static io.traceroll.e2e.GatewayConfigs.renderForJaeger;
import static io.traceroll.e2e.GatewayConfigs.tempo;
import static io.traceroll.e2e.GatewayConfigs.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.e2e.traces.CollectorProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The rendered gateway config run as a gateway (a local Jaeger v2) in front of a second Jaeger as
 * the backend, fed traces over OTLP/HTTP. It needs no cluster.
 */
class GatewayTailSamplingE2eTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  /**
   * Of three traces sent together, the one with an error and the slow one arrive, the ordinary one
   * is dropped at ratio 0.
   */
  @Test
  void theGatewayKeepsErrorAndSlowTracesAndDropsTheRest() throws Exception {
    int backendOtlp = CollectorProcess.freePort();
    int backendQuery = CollectorProcess.freePort();
    int gatewayGrpc = CollectorProcess.freePort();
    int gatewayHttp = CollectorProcess.freePort();
    int gatewayHealth = CollectorProcess.freePort();

    ObjectNode gatewayConfig =
        renderForJaeger(
            tempo(
                tail -> {
                  tail.setLatencyThreshold("2s");
                  tail.setRatio(0.0);
                  tail.setDecisionWait("1s");
                }));
    // Only the addresses change: loopback ports instead of the pod's, the backend's instead of
    // Tempo's Service.
    ((ObjectNode) gatewayConfig.at("/receivers/otlp/protocols/grpc"))
        .put("endpoint", "127.0.0.1:" + gatewayGrpc);
    ((ObjectNode) gatewayConfig.at("/receivers/otlp/protocols/http"))
        .put("endpoint", "127.0.0.1:" + gatewayHttp);
    ((ObjectNode) gatewayConfig.at("/extensions/healthcheckv2"))
        .put("endpoint", "127.0.0.1:" + gatewayHealth);
    ((ObjectNode) gatewayConfig.at("/exporters/otlp~1backend"))
        .put("endpoint", "http://127.0.0.1:" + backendOtlp);

    try (CollectorProcess backend =
            CollectorProcess.start(
                "backend-jaeger", write(backendConfig(backendOtlp, backendQuery)));
        CollectorProcess gateway = CollectorProcess.start("gateway", write(gatewayConfig))) {
      awaitOk(backend, "http://127.0.0.1:" + backendQuery + "/api/services");
      // The kubelet's probe path: the health_check settings answer on / once the pipeline runs.
      awaitOk(gateway, "http://127.0.0.1:" + gatewayHealth + "/");

      String error = traceId();
      String slow = traceId();
      String ordinary = traceId();
      long now = System.currentTimeMillis() * 1_000_000L;
      long ms = 1_000_000L;
      HttpResponse<String> sent =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayHttp + "/v1/traces"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          spans(
                              span(error, now - 10 * ms, now, 2),
                              span(slow, now - 3000 * ms, now, 1),
                              span(ordinary, now - 10 * ms, now, 1))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

      String query = "http://127.0.0.1:" + backendQuery + "/api/traces/";
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                assertThat(gateway.isAlive()).as(gateway.logs()).isTrue();
                assertThat(status(query + error)).as("error trace at the backend").isEqualTo(200);
                assertThat(status(query + slow)).as("slow trace at the backend").isEqualTo(200);
              });
      // Decided in the same tick as the others; give the batch and export time to land anyway.
      Thread.sleep(2000);
      assertThat(status(query + ordinary)).as("ordinary trace at the backend").isEqualTo(404);
    }
  }

  /** A Jaeger that stores in memory what it receives over OTLP/gRPC and answers queries. */
  static String backendConfig(int otlpPort, int queryPort) throws IOException {
    return """
        service:
          extensions: [jaeger_storage, jaeger_query]
          pipelines:
            traces: {receivers: [otlp], exporters: [jaeger_storage_exporter]}
          telemetry: {logs: {level: warn}, metrics: {level: none}}
        extensions:
          jaeger_storage:
            backends: {memstore: {memory: {max_traces: 1000}}}
          jaeger_query:
            storage: {traces: memstore}
            http: {endpoint: "127.0.0.1:%d"}
            grpc: {endpoint: "127.0.0.1:%d"}
        receivers:
          otlp: {protocols: {grpc: {endpoint: "127.0.0.1:%d"}}}
        exporters:
          jaeger_storage_exporter: {trace_storage: memstore}
        """
        .formatted(queryPort, CollectorProcess.freePort(), otlpPort);
  }

  // --- OTLP/HTTP JSON and the backend's query API ---

  static String traceId() {
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    return HexFormat.of().formatHex(id);
  }

  /** One span of its own trace; status code 1 is OK, 2 is ERROR. */
  static String span(String traceId, long startNanos, long endNanos, int statusCode) {
    return """
        {"traceId":"%s","spanId":"%s","name":"GET /cart","kind":2,\
        "startTimeUnixNano":"%d","endTimeUnixNano":"%d","status":{"code":%d}}"""
        .formatted(traceId, traceId.substring(0, 16), startNanos, endNanos, statusCode);
  }

  static String spans(String... spans) {
    return """
        {"resourceSpans":[{"resource":{"attributes":[\
        {"key":"service.name","value":{"stringValue":"checkout"}}]},\
        "scopeSpans":[{"scope":{"name":"traceroll-e2e"},"spans":[%s]}]}]}"""
        .formatted(String.join(",", spans));
  }

  static int status(String url) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static void awaitOk(CollectorProcess process, String url) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(process.isAlive()).as(process.logs()).isTrue();
              assertThat(status(url)).isEqualTo(200);
            });
  }
}
