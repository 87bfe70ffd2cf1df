package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import io.traceroll.e2e.traces.CollectorProcess;
import io.traceroll.operator.gateway.GatewayConfigRenderer;
import io.traceroll.operator.gateway.GatewayHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tail-sampling gateway's config as the operator renders it, checked by a real collector:
 * Jaeger v2 is an OpenTelemetry Collector build whose tail_sampling processor, OTLP receiver and
 * exporters, batch and memory_limiter come from the same collector-contrib release the default
 * gateway image is. It needs no cluster.
 */
class GatewayConfigE2eTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String HEADERS = "api-key=s3cr%3Dt,x-tenant=shop";
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of("tempo over gRPC, defaults", tempo(tail -> {})),
        Arguments.of(
            "tempo over OTLP/HTTP, latency rule",
            tempo(tail -> tail.setLatencyThreshold("1m30s"), Receiver.OTLP_HTTP)),
        Arguments.of(
            "no error rule, ratio 0",
            tempo(
                tail -> {
                  tail.setKeepErrors(false);
                  tail.setRatio(0.0);
                  tail.setDecisionWait("1h");
                  tail.setNumTraces(1);
                })),
        Arguments.of(
            "external gRPC over TLS with headers",
            otlp("https://otlp.vendor.example:443", OtlpProtocol.GRPC, "vendor-key")),
        Arguments.of(
            "external OTLP/HTTP in cluster",
            otlp("http://collector.obs.svc:4318/otlp", OtlpProtocol.HTTP_PROTOBUF, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void theCollectorAcceptsTheRenderedConfig(String variant, TracingPolicy policy) throws Exception {
    Path config = write(forJaeger(render(policy)));

    CollectorProcess.Result result =
        CollectorProcess.run(headersEnv(policy), "validate", "--config=file:" + config);

    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  /** Shows that validate reads the processor's settings, so passing it means something. */
  @Test
  void validationRefusesAMisspelledTailSamplingSetting() throws Exception {
    ObjectNode config = forJaeger(render(tempo(tail -> tail.setLatencyThreshold("2s"))));
    ObjectNode latency = (ObjectNode) config.at("/processors/tail_sampling/policies/1/latency");
    latency.set("threshold_msec", latency.remove("threshold_ms"));

    CollectorProcess.Result result =
        CollectorProcess.run(Map.of(), "validate", "--config=file:" + write(config));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("threshold_msec");
  }

  @Test
  void headersInTheAgentsFormatReachTheExporterAsHeaders() throws Exception {
    TracingPolicy policy = otlp("https://otlp.vendor.example:443", OtlpProtocol.GRPC, "key");
    Path config = write(forJaeger(render(policy)));

    CollectorProcess.Result result =
        CollectorProcess.run(headersEnv(policy), "print-config", "--config=file:" + config);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("name: api-key")
        .contains("name: x-tenant")
        .doesNotContain("s3cr");
  }

  /**
   * The rendered config runs as a gateway in front of a second Jaeger as the backend: of three
   * traces sent together, the one with an error and the slow one arrive, the ordinary one is
   * dropped at ratio 0.
   */
  @Test
  void theGatewayKeepsErrorAndSlowTracesAndDropsTheRest() throws Exception {
    int backendOtlp = CollectorProcess.freePort();
    int backendQuery = CollectorProcess.freePort();
    int gatewayGrpc = CollectorProcess.freePort();
    int gatewayHttp = CollectorProcess.freePort();
    int gatewayHealth = CollectorProcess.freePort();

    ObjectNode gatewayConfig =
        forJaeger(
            render(
                tempo(
                    tail -> {
                      tail.setLatencyThreshold("2s");
                      tail.setRatio(0.0);
                      tail.setDecisionWait("1s");
                    })));
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

  // --- policies ---

  static TracingPolicy tempo(Consumer<TailSampling> tailSettings, Receiver... receivers) {
    TempoBackend tempo = new TempoBackend();
    if (receivers.length > 0) {
      tempo.setReceivers(new java.util.ArrayList<>(List.of(receivers)));
    }
    Backend backend = new Backend();
    backend.setTempo(tempo);
    TracingPolicy policy = policy(backend);
    tailSettings.accept(policy.getSpec().getSampling().getTail());
    return policy;
  }

  static TracingPolicy otlp(String endpoint, OtlpProtocol protocol, String headersSecret) {
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint(endpoint);
    otlp.setProtocol(protocol);
    otlp.setHeadersSecretName(headersSecret);
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    return policy(backend);
  }

  static TracingPolicy policy(Backend backend) {
    TracingPolicy policy = new TracingPolicy();
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    policy.setSpec(new TracingPolicySpec());
    policy.getSpec().setBackend(backend);
    policy.getSpec().getSampling().setTail(new TailSampling());
    return policy;
  }

  // --- configs ---

  static ObjectNode render(TracingPolicy policy) throws Exception {
    return (ObjectNode) YAML.readTree(GatewayConfigRenderer.render(policy));
  }

  /**
   * Jaeger's build has healthcheckv2 instead of health_check (the contrib image has both);
   * healthcheckv2 without use_v2 takes health_check's settings, so only the name changes. Every
   * other component is checked as rendered.
   */
  static ObjectNode forJaeger(ObjectNode config) {
    ObjectNode extensions = (ObjectNode) config.get("extensions");
    extensions.set("healthcheckv2", extensions.remove("health_check"));
    ArrayNode enabled = ((ObjectNode) config.get("service")).putArray("extensions");
    enabled.add("healthcheckv2");
    return config;
  }

  /** The environment the gateway pod gets from its headers Secret, when the backend has one. */
  static Map<String, String> headersEnv(TracingPolicy policy) {
    return GatewayConfigRenderer.sendsHeaders(policy)
        ? Map.of(
            GatewayConfigRenderer.HEADERS_ENV, GatewayHeaders.toJson(GatewayHeaders.parse(HEADERS)))
        : Map.of();
  }

  static String backendConfig(int otlpPort, int queryPort) {
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
        .formatted(queryPort, freePortUnchecked(), otlpPort);
  }

  static Path write(Object config) throws Exception {
    Path file = Files.createTempFile(Path.of("target"), "collector-", ".yaml");
    Files.writeString(file, config instanceof String text ? text : YAML.writeValueAsString(config));
    return file;
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

  static int freePortUnchecked() {
    try {
      return CollectorProcess.freePort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
