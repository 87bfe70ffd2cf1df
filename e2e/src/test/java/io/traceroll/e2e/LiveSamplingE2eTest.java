package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.e2e.traces.AgentJvm;
import io.traceroll.e2e.traces.JaegerBackend;
import io.traceroll.e2e.traces.JaegerTrace;
import io.traceroll.e2e.traces.JaegerTrace.Span;
import io.traceroll.e2e.traces.PodEnvironment;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real agents, real traces, live sampling: two JVMs run the OpenTelemetry Java agent with exactly
 * the environment the webhook put into pods the local kube-apiserver admitted, export to a real
 * Jaeger, and poll the operator's sampling server; patching the policy changes what they sample
 * without restarting them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveSamplingE2eTest extends OperatorE2eBase {
  static final String POLICY = "live";
  static final Duration POLL = Duration.ofSeconds(2);
  static final String CALLER = "shop-caller";
  static final String CALLEE = "shop-callee";

  static JaegerBackend jaeger;
  static String policyNs;
  static String shopNs;
  static Pod callerPod;
  static Pod calleePod;
  static AgentJvm callee;
  static AgentJvm caller;

  @BeforeAll
  static void startAgents() throws Exception {
    jaeger = JaegerBackend.start();
    policyNs = namespace("obs-live", Map.of());
    shopNs =
        namespace(
            "shop-live",
            Map.of(
                Traceroll.INJECT_LABEL,
                Traceroll.INJECT_ENABLED,
                Traceroll.POLICY_LABEL,
                policyNs + "." + POLICY));
    cluster.client.resource(policy()).create();
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                cluster.client.services().inNamespace(policyNs).withName(POLICY + "-sampling").get()
                    != null);

    calleePod = admitted(CALLEE);
    callerPod = admitted(CALLER);
    Path hosts = hostsFile();
    List<String> dns = List.of("-Djdk.net.hosts.file=" + hosts);
    callee = AgentJvm.start("live-callee", localEnv(calleePod), null, dns);
    caller = AgentJvm.start("live-caller", localEnv(callerPod), callee.url("/"), dns);
  }

  @AfterAll
  static void stopAgents() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {caller, callee, jaeger}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  @Order(1)
  void atRatioZeroNoTraceArrives() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(caller.get("/checkout")).isEqualTo("hello");
    }
    // Several polls and export intervals pass with requests flowing: nothing may arrive.
    await()
        .during(POLL.multipliedBy(2).plusSeconds(1))
        .atMost(POLL.multipliedBy(3).plusSeconds(2))
        .until(() -> jaeger.traces(CALLER).isEmpty() && jaeger.traces(CALLEE).isEmpty());
  }

  @Test
  @Order(2)
  void patchingTheRatioToOneReachesTheRunningAgentsWithoutARestart() throws Exception {
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    try {
      load.scheduleAtFixedRate(
          () -> quietly(() -> caller.get("/checkout")), 0, 200, TimeUnit.MILLISECONDS);
      long patched = System.nanoTime();
      patchSampling("{\"default\":{\"ratio\":1.0}}");

      JaegerTrace trace =
          await()
              .atMost(POLL.plusSeconds(10))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> completeTrace(), t -> t != null);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patched);
      System.out.printf(
          "[measure] policy patch to first sampled trace in Jaeger: %d ms (poll interval %d ms)%n",
          millis, POLL.toMillis());

      Span checkout = trace.span(CALLER, "server").orElseThrow();
      Span call = trace.span(CALLER, "client").orElseThrow();
      Span hello = trace.span(CALLEE, "server").orElseThrow();
      assertThat(trace.services()).containsExactlyInAnyOrder(CALLER, CALLEE);
      assertThat(checkout.operationName()).isEqualTo("GET /checkout");
      assertThat(call.isChildOf(checkout)).isTrue();
      assertThat(hello.isChildOf(call)).as("W3C traceparent crossed the HTTP hop").isTrue();
      assertThat(hello.processTags())
          .containsEntry("k8s.namespace.name", shopNs)
          .containsEntry("k8s.pod.name", calleePod.getMetadata().getName())
          .containsEntry("k8s.node.name", calleePod.getSpec().getNodeName())
          .containsEntry("k8s.container.name", "app");
      assertThat(checkout.processTags())
          .containsEntry("k8s.pod.name", callerPod.getMetadata().getName());
      assertThat(callee.logs()).contains("trace_id=" + trace.traceId());
    } finally {
      load.shutdownNow();
      load.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void aPerOperationRatioOfZeroDropsThatOperation() throws Exception {
    assertThat(caller.get("/healthz")).isEqualTo("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> healthzTraces() == 1);

    patchSampling(
        "{\"services\":[{\"service\":\""
            + CALLER
            + "\",\"ratio\":1.0,\"operations\":[{\"name\":\"GET /healthz\",\"ratio\":0.0}]}]}");
    await().atMost(Duration.ofSeconds(15)).until(() -> served(CALLER).contains("\"GET /healthz\""));
    // Both agents poll every 2 s; four answers served after the change means each has its own.
    double polled = grpcAnswers();
    await().atMost(POLL.multipliedBy(6)).until(() -> grpcAnswers() >= polled + 4);

    int checkouts = jaeger.traces(CALLER).size();
    for (int i = 0; i < 5; i++) {
      assertThat(caller.get("/healthz")).isEqualTo("ok");
    }
    assertThat(caller.get("/checkout")).isEqualTo("hello");
    // The later /checkout is exported after the /healthz calls: once it is in, they would be too.
    await().atMost(Duration.ofSeconds(10)).until(() -> jaeger.traces(CALLER).size() > checkouts);
    assertThat(healthzTraces()).isEqualTo(1);
  }

  // --- the policy and the pods ---

  static TracingPolicy policy() {
    return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          backend:
            otlpEndpoint: {endpoint: "%s", protocol: grpc}
          sampling:
            default: {ratio: 0.0}
            remote: {pollInterval: %ds}
          java:
            env:
              - {name: OTEL_BSP_SCHEDULE_DELAY, value: "500"}
              - {name: OTEL_METRICS_EXPORTER, value: none}
              - {name: OTEL_LOGS_EXPORTER, value: none}
          rollout: {strategy: OnNextRestart}
        """
            .formatted(POLICY, policyNs, jaeger.otlpGrpcEndpoint(), POLL.toSeconds()),
        TracingPolicy.class);
  }

  /** Creates a pod through the API server and returns it once admitted and scheduled. */
  static Pod admitted(String app) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withGenerateName(app + "-")
            .withNamespace(shopNs)
            .addToLabels(Traceroll.NAME_LABEL, app)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.example/shop/" + app + ":1.0")
            .endContainer()
            .endSpec()
            .build();
    String name = cluster.client.resource(pod).create().getMetadata().getName();
    Pod stored =
        await()
            .atMost(TestCluster.timeout())
            .until(
                () -> cluster.client.pods().inNamespace(shopNs).withName(name).get(),
                p -> p.getSpec().getNodeName() != null);
    assertThat(stored.getMetadata().getAnnotations()).containsKey(Traceroll.INJECTED_ANNOTATION);
    return stored;
  }

  static final Pattern SAMPLER_ENDPOINT = Pattern.compile("endpoint=http://([^:,]+):(\\d+)");

  /**
   * The pod's environment for a local JVM. Two things differ from inside the cluster and are
   * rewritten: the agent's path (the init container copied it into a volume), and the port of the
   * policy's sampling Service (the operator listens on a free local port). The Service's host name
   * is kept and resolved to 127.0.0.1 by the JVM's hosts file, so the agent dials the name it would
   * dial in the cluster.
   */
  static Map<String, String> localEnv(Pod pod) {
    Map<String, String> env = new java.util.LinkedHashMap<>(PodEnvironment.of(pod, "app"));
    assertThat(env.get("OTEL_SERVICE_NAME"))
        .isEqualTo(pod.getMetadata().getLabels().get(Traceroll.NAME_LABEL));
    assertThat(env.get("OTEL_TRACES_SAMPLER")).isEqualTo("parentbased_jaeger_remote");
    assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo(jaeger.otlpGrpcEndpoint());
    String tool = env.get("JAVA_TOOL_OPTIONS");
    assertThat(tool).matches("-javaagent:\\S+");
    env.put("JAVA_TOOL_OPTIONS", "-javaagent:" + AgentJvm.agentJar());
    String arg = env.get("OTEL_TRACES_SAMPLER_ARG");
    Matcher m = SAMPLER_ENDPOINT.matcher(arg);
    assertThat(m.find()).as(arg).isTrue();
    assertThat(m.group(1)).isEqualTo(POLICY + "-sampling." + policyNs + ".svc");
    env.put(
        "OTEL_TRACES_SAMPLER_ARG",
        m.replaceFirst("endpoint=http://" + m.group(1) + ":" + operator.ports().samplingGrpc()));
    return env;
  }

  /** Cluster DNS for the JVMs: the policy's sampling Service name on loopback. */
  static Path hostsFile() throws Exception {
    Path hosts = Path.of("target", "live-sampling-hosts");
    Files.writeString(
        hosts,
        "127.0.0.1 localhost "
            + POLICY
            + "-sampling."
            + policyNs
            + ".svc "
            + InetAddress.getLocalHost().getHostName()
            + "\n");
    return hosts.toAbsolutePath();
  }

  // --- helpers ---

  static void patchSampling(String samplingJson) {
    cluster
        .client
        .resources(TracingPolicy.class)
        .inNamespace(policyNs)
        .withName(POLICY)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"sampling\":" + samplingJson + "}}");
  }

  /** The newest trace that has all three spans of a /checkout, or null. */
  static JaegerTrace completeTrace() {
    return jaeger.traces(CALLEE).stream()
        .filter(
            t ->
                t.span(CALLER, "server").isPresent()
                    && t.span(CALLER, "client").isPresent()
                    && t.span(CALLEE, "server").isPresent())
        .findFirst()
        .orElse(null);
  }

  static long healthzTraces() {
    return jaeger.traces(CALLER).stream()
        .filter(t -> t.spans().stream().anyMatch(s -> s.operationName().equals("GET /healthz")))
        .count();
  }

  /**
   * What the operator's HTTP endpoint serves the policy's agents for a service, asked under the
   * policy's Service name (a raw request: the JDK client will not set Host).
   */
  static String served(String service) throws Exception {
    try (var socket = new java.net.Socket("127.0.0.1", operator.ports().samplingHttp())) {
      socket
          .getOutputStream()
          .write(
              ("GET /sampling?service="
                      + service
                      + " HTTP/1.1\r\nHost: "
                      + POLICY
                      + "-sampling."
                      + policyNs
                      + ".svc:5778\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(
          socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** gRPC sampling answers the operator has served, from its metrics. */
  static double grpcAnswers() throws Exception {
    Matcher m =
        Pattern.compile(
                "traceroll_sampling_requests_total\\{result=\"served\",transport=\"grpc\"} (\\S+)")
            .matcher(operator.get("/metrics"));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  interface Call {
    Object run() throws Exception;
  }

  static void quietly(Call call) {
    try {
      call.run();
    } catch (Exception e) {
      // the next tick tries again; the assertions decide
    }
  }
}
