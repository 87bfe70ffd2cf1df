package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.Traceroll;
import io.traceroll.e2e.traces.JaegerTrace;
import io.traceroll.e2e.traces.JaegerTrace.Span;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two Java services in pods the webhook instrumented at creation: frontend's GET /checkout calls
 * backend through the Service's DNS name. Their agents (copied in by the init container) export to
 * the Jaeger pod and poll the operator's sampling server, so a sampling change reaches them with no
 * restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RealPodTraces {
  static final String CHECKOUT = "GET /checkout";
  static final Duration POLL = Duration.ofSeconds(2);
  final RealNodeInstall install = RealNodeE2eTest.install;
  final KubernetesClient client = install.client();
  String shopNs;

  @BeforeAll
  void startShop() throws Exception {
    shopNs = RealNodeE2eTest.governedNamespace("rn-shop", Map.of());
    client.resource(RealNode.shop(shopNs, "backend", "backend")).create();
    client.resource(RealNode.service(shopNs, "backend")).create();
    client
        .resource(
            RealNode.shop(
                shopNs,
                "frontend",
                "frontend",
                "BACKEND_URL",
                "http://backend." + shopNs + ".svc:8080"))
        .create();
    client.resource(RealNode.service(shopNs, "frontend")).create();
    RealNode.awaitAvailable(client, shopNs, "backend");
    RealNode.awaitAvailable(client, shopNs, "frontend");
    RealNode.awaitServing(client, shopNs, "backend", 8080, "/agent");
    RealNode.awaitServing(client, shopNs, "frontend", 8080, "/checkout?item=book");
  }

  @Test
  @Order(1)
  void theInitContainerCopiedTheAgentAndTheJvmStartedWithIt() {
    for (String app : List.of("frontend", "backend")) {
      Pod pod = RealNode.pods(client, shopNs, app).get(0);
      assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.INJECTED_ANNOTATION);
      ContainerStatus init = pod.getStatus().getInitContainerStatuses().get(0);
      assertThat(init.getState().getTerminated().getExitCode()).as(app + "'s agent copy").isZero();
      assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
      assertThat(pod.getSpec().getContainers().get(0).getEnv())
          .extracting(EnvVar::getName)
          .as("the pod sets no JAVA_TOOL_OPTIONS: the agent goes to _JAVA_OPTIONS")
          .contains("_JAVA_OPTIONS")
          .doesNotContain("JAVA_TOOL_OPTIONS");
      assertThat(log(pod)).as(app + "'s log").contains("opentelemetry-javaagent");
    }
  }

  @Test
  @Order(1)
  void theJvmKeepsTheImagesJavaToolOptionsBesideTheAgent() throws Exception {
    // Backend only: frontend's GET /agent traces are counted below (its check is there).
    assertAgentAndImageOption("backend", RealNode.get(client, shopNs, "backend", 8080, "/agent"));
  }

  private static void assertAgentAndImageOption(String app, String agentJson) throws Exception {
    JsonNode agent = new ObjectMapper().readTree(agentJson);
    assertThat(agent.path("javaAgents").toString())
        .as(app + "'s JVM loaded the agent")
        .contains("-javaagent:/traceroll/agent/javaagent.jar");
    assertThat(agent.path("imageOption").toString())
        .as(app + "'s JVM still has the image's JAVA_TOOL_OPTIONS")
        .contains("kept");
  }

  @Test
  @Order(2)
  void aCallAcrossTwoPodsIsOneTraceWithTheWebhooksServiceNamesAndPodAttributes() throws Exception {
    assertThat(checkout()).contains("price");
    JaegerTrace trace =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(this::completeTrace, t -> t != null);

    Span checkout = trace.span("frontend", "server").orElseThrow();
    Span call = trace.span("frontend", "client").orElseThrow();
    Span price = trace.span("backend", "server").orElseThrow();
    assertThat(checkout.parentSpanId()).isNull();
    assertThat(call.isChildOf(checkout)).isTrue();
    assertThat(price.isChildOf(call)).as("W3C traceparent crossed the HTTP call").isTrue();
    assertThat(checkout.operationName()).isEqualTo("GET /checkout");
    Pod backend = RealNode.pods(client, shopNs, "backend").get(0);
    assertThat(price.processTags())
        .containsEntry("k8s.namespace.name", shopNs)
        .containsEntry("k8s.pod.name", backend.getMetadata().getName())
        .containsEntry("k8s.deployment.name", "backend")
        .containsEntry("k8s.node.name", RealNode.NAME);
  }

  @Test
  @Order(3)
  void aSamplingChangeReachesTheRunningAgentsWithoutARestart() throws Exception {
    Set<String> podsBefore = podUids();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    try {
      load.scheduleAtFixedRate(this::quietCheckout, 0, 200, TimeUnit.MILLISECONDS);
      patchDefaultRatio(0.0);
      // Once the agents have polled the new strategy no new trace arrives; allow for a poll
      // interval, an export interval and requests in flight.
      Thread.sleep(Duration.ofSeconds(8).toMillis());
      int quietCount = traceIds().size();
      await()
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(15))
          .until(() -> traceIds().size() == quietCount);

      long patched = System.nanoTime();
      patchDefaultRatio(1.0);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(() -> traceIds().size() > quietCount);
      System.out.printf(
          "[measure] real pods: policy patch to first new trace in Jaeger %d ms (agents poll every"
              + " 2 s, export every 5 s)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patched));
    } finally {
      load.shutdownNow();
    }
    assertThat(podUids()).as("the same pods, never restarted").isEqualTo(podsBefore);
    for (String app : List.of("frontend", "backend")) {
      assertThat(RealNode.pods(client, shopNs, app).get(0).getStatus().getContainerStatuses())
          .allSatisfy(s -> assertThat(s.getRestartCount()).isZero());
    }
  }

  @Test
  @Order(4)
  void aPerOperationRatioOfZeroDropsThatOperationOnly() throws Exception {
    assertAgentAndImageOption("frontend", RealNode.get(client, shopNs, "frontend", 8080, "/agent"));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> traceIds("GET /agent").size() == 1);

    patchSampling(
        "{\"services\":[{\"service\":\"frontend\",\"ratio\":1.0,"
            + "\"operations\":[{\"name\":\"GET /agent\",\"ratio\":0.0}]}]}");
    // The agents poll every 2 s: after three intervals each holds the new strategy.
    Thread.sleep(POLL.multipliedBy(3).toMillis());
    int checkouts = traceIds().size();
    for (int i = 0; i < 5; i++) {
      RealNode.get(client, shopNs, "frontend", 8080, "/agent");
    }
    checkout();
    // The later /checkout is exported after the /agent calls: once it is in, they would be too.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> traceIds().size() > checkouts);
    assertThat(traceIds("GET /agent")).as("GET /agent after its ratio went to 0").hasSize(1);
  }

  // ----

  private String checkout() throws Exception {
    return RealNode.get(client, shopNs, "frontend", 8080, "/checkout?item=book");
  }

  private void quietCheckout() {
    try {
      checkout();
    } catch (Exception e) {
      // a request lost under load changes nothing the test counts
    }
  }

  private JaegerTrace completeTrace() throws Exception {
    return RealNode.traces(client, RealNodeE2eTest.policyNs, "frontend", CHECKOUT).stream()
        .filter(
            t ->
                t.span("frontend", "server").isPresent()
                    && t.span("frontend", "client").isPresent()
                    && t.span("backend", "server").isPresent())
        .findFirst()
        .orElse(null);
  }

  private Set<String> traceIds() throws Exception {
    return traceIds(CHECKOUT);
  }

  private Set<String> traceIds(String operation) throws Exception {
    Set<String> ids = new HashSet<>();
    RealNode.traces(client, RealNodeE2eTest.policyNs, "frontend", operation)
        .forEach(t -> ids.add(t.traceId()));
    return ids;
  }

  private Set<String> podUids() {
    Set<String> uids = new HashSet<>();
    for (String app : List.of("frontend", "backend")) {
      RealNode.pods(client, shopNs, app).forEach(p -> uids.add(p.getMetadata().getUid()));
    }
    return uids;
  }

  private void patchDefaultRatio(double ratio) {
    patchSampling("{\"default\":{\"ratio\":" + ratio + "}}");
  }

  private void patchSampling(String json) {
    RealNodeE2eTest.patchSpec(client, "sampling", json);
  }

  private String log(Pod pod) {
    return client
        .pods()
        .inNamespace(pod.getMetadata().getNamespace())
        .withName(pod.getMetadata().getName())
        .inContainer(pod.getSpec().getContainers().get(0).getName())
        .getLog();
  }
}
