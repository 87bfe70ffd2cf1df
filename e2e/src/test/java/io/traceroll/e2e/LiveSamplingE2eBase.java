package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.e2e.traces.AgentJvm;
import io.traceroll.e2e.traces.JaegerBackend;
import io.traceroll.e2e.traces.JaegerTrace;
import io.traceroll.e2e.traces.PodEnvironment;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Two local JVMs with the OpenTelemetry Java agent, each started with exactly the environment the
 * webhook put into a pod the local kube-apiserver admitted (a caller and the callee it calls),
 * exporting to a real Jaeger and polling the operator's sampling server under the policy's sampling
 * Service name. The policy starts at ratio 0.
 */
abstract class LiveSamplingE2eBase extends OperatorE2eBase {
  static final String POLICY = "live";
  static final Duration POLL = Duration.ofSeconds(2);
  static final String CALLER = "shop-caller";
  static final String CALLEE = "shop-callee";
  static final Pattern SAMPLER_ENDPOINT = Pattern.compile("endpoint=http://([^:,]+):(\\d+)");

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

  // --- the policy and the pods ---

  static TracingPolicy policy() {
    return Serialization.unmarshal(
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

  /**
   * The pod's environment for a local JVM. Two things differ from inside the cluster and are
   * rewritten: the agent's path (the init container copied it into a volume), and the port of the
   * policy's sampling Service (the operator listens on a free local port). The Service's host name
   * is kept and resolved to 127.0.0.1 by the JVM's hosts file, so the agent dials the name it would
   * dial in the cluster.
   */
  static Map<String, String> localEnv(Pod pod) {
    Map<String, String> env = new LinkedHashMap<>(PodEnvironment.of(pod, "app"));
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

  // --- changing the policy, reading what the agents got and sent ---

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
    try (var socket = new Socket("127.0.0.1", operator.ports().samplingHttp())) {
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
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
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
