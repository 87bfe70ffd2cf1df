package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The rollout on workloads whose containers really run: a staged restart gated on real readiness,
 * the automatic rollback of a workload that only fails with the agent, the backfill of pods created
 * while the webhook was down, and a leader change in the middle of a rollout. The last two disturb
 * the operator's pods and run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RealPodRollout {
  static final Duration ROLLOUT = Duration.ofMinutes(4);
  final RealNodeInstall install = RealNodeE2eTest.install;
  final KubernetesClient client = install.client();

  @Test
  @Order(1)
  void runningDeploymentsAreRestartedWithTheAgentOnceEachIsReady() throws Exception {
    String ns = runningUninstrumented("rn-staged", 3, "EXIT_WITH_AGENT", "false");
    govern(ns);

    awaitPhases(ns, 3, WorkloadPhase.Instrumented);
    for (int i = 0; i < 3; i++) {
      assertInstrumentedAndReady(ns, "app-" + i);
      assertThat(replicaSets(ns, "app-" + i)).as("restarted exactly once").isEqualTo(2);
    }
  }

  @Test
  @Order(2)
  void aWorkloadThatOnlyFailsWithTheAgentIsRolledBackAndRunsAgain() throws Exception {
    String ns = runningUninstrumented("rn-fragile", 1, "EXIT_WITH_AGENT", "true");
    govern(ns);

    awaitPhases(ns, 1, WorkloadPhase.RolledBack);
    awaitAvailableWithoutAgent(ns, "app-0");
    assertThat(
            client.v1().events().inNamespace(RealNodeE2eTest.policyNs).list().getItems().stream()
                .map(e -> e.getReason()))
        .contains("RolledBack");
    assertThat(templateAnnotations(ns, "app-0").keySet())
        .as("a rollback writes nothing into the workload but its restart annotations")
        .allMatch(k -> !k.startsWith("traceroll.io/") || k.startsWith("traceroll.io/restarted-"));

    // The user fixes the workload (its own rollout: still without the agent, as the policy's
    // injection is the one rolled back), then asks for a retry: it is instrumented, once.
    editApp(
        ns,
        d ->
            d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("EXIT_WITH_AGENT"))
                .forEach(e -> e.setValue("false")));
    await().atMost(ROLLOUT).until(() -> RealNode.available(client, ns, "app-0"));
    assertThat(RealNode.pods(client, ns, "app-0"))
        .allSatisfy(
            p ->
                assertThat(TestCluster.annotations(p))
                    .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    client
        .resources(TracingPolicy.class)
        .inNamespace(RealNodeE2eTest.policyNs)
        .withName(RealNodeE2eTest.POLICY)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\""
                + Traceroll.RETRY_ANNOTATION
                + "\":\"fixed-"
                + ns
                + "\"}}}");
    awaitPhases(ns, 1, WorkloadPhase.Instrumented);
    assertInstrumentedAndReady(ns, "app-0");
  }

  /**
   * A policy of its own beside the tier's, exporting to the same Jaeger, for the namespaces
   * labelled {@code label: "true"} (which the tier's policy does not select).
   */
  private void createPolicyOf(String name, String label, String extraSpec) {
    install.cluster.create(
        RealNodeE2eTest.policyNs,
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: %s}
        spec:
          selector:
            namespaceSelector: {matchLabels: {%s: "true"}}
          backend:
            otlpEndpoint: {endpoint: "http://jaeger.%s.svc:4317", protocol: grpc}
          %s
        """
            .formatted(name, label, RealNodeE2eTest.policyNs, extraSpec));
  }

  /** Waits until the Deployment is available again and none of its pods carries the agent. */
  private void awaitAvailableWithoutAgent(String ns, String app) {
    await()
        .atMost(ROLLOUT)
        .until(
            () ->
                RealNode.available(client, ns, app)
                    && RealNode.pods(client, ns, app).stream()
                        .noneMatch(
                            p ->
                                TestCluster.annotations(p)
                                    .containsKey(Traceroll.INJECTED_ANNOTATION)));
  }

  /** Edits the Deployment app-0 of the namespace, as a user would. */
  private void editApp(String ns, Consumer<Deployment> change) {
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("app-0")
        .edit(
            d -> {
              change.accept(d);
              return d;
            });
  }

  private Map<String, String> templateAnnotations(String ns, String name) {
    Map<String, String> annotations =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName(name)
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  @Test
  @Order(3)
  void aWorkloadWhoseAgentNeverCallsIsReportedSilentAndRolledBack() throws Exception {
    String policyNs = RealNodeE2eTest.policyNs;
    String name = "silent";
    createPolicyOf(name, "e2e.traceroll.io/silent", "rollout: {healthGate: {timeout: 45s}}");
    try {
      // The JVM loads the agent, but the user's own switch keeps it from doing anything: the
      // pod is ready, carries the injection, and its agent never polls the sampling server.
      String ns = runningUninstrumented("rn-silent", 1, "OTEL_JAVAAGENT_ENABLED", "false");
      client
          .namespaces()
          .withName(ns)
          .edit(
              n -> {
                n.getMetadata().getLabels().put("e2e.traceroll.io/silent", "true");
                return n;
              });

      await()
          .atMost(ROLLOUT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> workloads(name, ns),
              w -> w.size() == 1 && w.get(0).getPhase() == WorkloadPhase.RolledBack);
      assertThat(workloads(name, ns).get(0).getMessage()).contains("silent");
      awaitAvailableWithoutAgent(ns, "app-0");
    } finally {
      client.resources(TracingPolicy.class).inNamespace(policyNs).withName(name).delete();
    }
  }

  @Test
  @Order(4)
  void aPausedDeploymentWaitsForItsNextRestartAndIsRolledOnceUnpaused() throws Exception {
    String ns = runningUninstrumented("rn-paused", 1, "EXIT_WITH_AGENT", "false");
    editApp(ns, d -> d.getSpec().setPaused(true));
    govern(ns);

    awaitPhases(ns, 1, WorkloadPhase.Waiting);
    assertThat(workloads(ns).get(0).getMessage())
        .isEqualTo("waits for its next restart: the Deployment is paused");
    assertThat(replicaSets(ns, "app-0")).as("nothing rolled").isEqualTo(1);

    editApp(ns, d -> d.getSpec().setPaused(false));
    awaitPhases(ns, 1, WorkloadPhase.Instrumented);
    assertInstrumentedAndReady(ns, "app-0");
    assertThat(replicaSets(ns, "app-0")).isEqualTo(2);
  }

  @Test
  @Order(5)
  void deletingAPolicyDoesNotWaitForPodsNoRestartCanChange() throws Exception {
    String policyNs = RealNodeE2eTest.policyNs;
    String name = "leftovers";
    createPolicyOf(name, "e2e.traceroll.io/leftovers", "");
    // Selected by this policy alone (no traceroll.io/inject label, which the other one selects).
    String ns = install.namespace("rn-left", Map.of("e2e.traceroll.io/leftovers", "true"));
    install.cluster.awaitInjects(ns);
    client.resource(RealNode.shop(ns, "app-0", "backend")).create();
    // A bare pod and a Job's finished pod, both with the agent.
    Pod bare = RealNode.bare(RealNode.shop(ns, "bare", "backend"));
    client.resource(bare).create();
    client.resource(RealNode.job(ns, "once", "java", "-version")).create();
    RealNode.awaitAvailable(client, ns, "app-0");
    await()
        .atMost(ROLLOUT)
        .until(
            () ->
                client
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(ns)
                        .withName("once")
                        .get()
                        .getStatus()
                        .getSucceeded()
                    != null);
    assertThat(TestCluster.annotations(client.pods().inNamespace(ns).withName("bare").get()))
        .containsKey(Traceroll.INJECTED_ANNOTATION);

    client.resources(TracingPolicy.class).inNamespace(policyNs).withName(name).delete();

    await()
        .atMost(ROLLOUT)
        .until(
            () ->
                client.resources(TracingPolicy.class).inNamespace(policyNs).withName(name).get()
                    == null);
    assertThat(RealNode.pods(client, ns, "app-0"))
        .as("the Deployment was restarted without the agent")
        .allSatisfy(
            p ->
                assertThat(TestCluster.annotations(p))
                    .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    assertThat(
            client.v1().events().inNamespace(policyNs).list().getItems().stream()
                .filter(e -> "AgentLeftInPods".equals(e.getReason()))
                .map(e -> e.getMessage()))
        .singleElement()
        .satisfies(m -> assertThat(m).contains("Pod/" + ns + "/bare").doesNotContain("once"));
  }

  @Test
  @Order(6)
  void podsCreatedWhileTheWebhookIsDownAreInstrumentedWhenItReturns() throws Exception {
    scaleOperator(0);
    String ns;
    try {
      ns = RealNodeE2eTest.governedNamespace("rn-down", Map.of());
      client.resource(RealNode.shop(ns, "app-0", "backend")).create();
      RealNode.awaitAvailable(client, ns, "app-0");
      assertThat(RealNode.pods(client, ns, "app-0"))
          .as("admitted without the agent: the webhook fails open")
          .allSatisfy(
              p ->
                  assertThat(TestCluster.annotations(p))
                      .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    } finally {
      scaleOperator(2);
    }
    awaitPhases(ns, 1, WorkloadPhase.Instrumented);
    assertInstrumentedAndReady(ns, "app-0");
  }

  @Test
  @Order(7)
  void aLeaderChangeInTheMiddleOfARolloutRestartsNothingTwice() throws Exception {
    String ns = runningUninstrumented("rn-leader", 4, "EXIT_WITH_AGENT", "false");
    patchRollout("{\"maxConcurrent\":1}");
    try {
      govern(ns);
      await()
          .atMost(ROLLOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> workloads(ns).stream().anyMatch(w -> w.getPhase() == WorkloadPhase.Restarting));
      String leader = install.leaderLease().getSpec().getHolderIdentity();
      client.pods().inNamespace(install.namespace).withName(leader).delete();

      awaitPhases(ns, 4, WorkloadPhase.Instrumented);
      assertThat(install.leaderLease().getSpec().getHolderIdentity()).isNotEqualTo(leader);
      for (int i = 0; i < 4; i++) {
        assertInstrumentedAndReady(ns, "app-" + i);
        assertThat(replicaSets(ns, "app-" + i))
            .as("app-" + i + " restarted exactly once")
            .isEqualTo(2);
      }
    } finally {
      patchRollout("{\"maxConcurrent\":2}");
    }
  }

  // ----

  /**
   * A namespace not yet governed, with n Deployments app-0.. running (and ready) without the agent.
   */
  private String runningUninstrumented(String prefix, int n, String... env) throws Exception {
    String ns = install.namespace(prefix, Map.of());
    for (int i = 0; i < n; i++) {
      client.resource(RealNode.shop(ns, "app-" + i, "backend", env)).create();
    }
    for (int i = 0; i < n; i++) {
      RealNode.awaitAvailable(client, ns, "app-" + i);
    }
    return ns;
  }

  private void govern(String ns) {
    client
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              Map<String, String> labels = new HashMap<>(n.getMetadata().getLabels());
              labels.putAll(
                  RealNodeInstall.governedBy(RealNodeE2eTest.policyNs, RealNodeE2eTest.POLICY));
              n.getMetadata().setLabels(labels);
              return n;
            });
  }

  private void awaitPhases(String ns, int count, WorkloadPhase phase) {
    await()
        .atMost(ROLLOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              List<WorkloadRollout> mine = workloads(ns);
              return mine.size() == count && mine.stream().allMatch(w -> w.getPhase() == phase);
            });
  }

  private List<WorkloadRollout> workloads(String ns) {
    return workloads(RealNodeE2eTest.POLICY, ns);
  }

  private List<WorkloadRollout> workloads(String policyName, String ns) {
    TracingPolicy policy =
        client
            .resources(TracingPolicy.class)
            .inNamespace(RealNodeE2eTest.policyNs)
            .withName(policyName)
            .get();
    RolloutStatus rollout =
        Optional.ofNullable(policy.getStatus()).map(s -> s.getRollout()).orElse(null);
    return rollout == null
        ? List.of()
        : rollout.getWorkloads().stream().filter(w -> ns.equals(w.getNamespace())).toList();
  }

  private void assertInstrumentedAndReady(String ns, String app) {
    await().atMost(ROLLOUT).until(() -> RealNode.available(client, ns, app));
    List<Pod> pods = RealNode.pods(client, ns, app);
    assertThat(pods).isNotEmpty();
    for (Pod pod : pods) {
      assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.INJECTED_ANNOTATION);
      assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
      assertThat(pod.getMetadata().getLabels())
          .as("its agent called the operator")
          .containsEntry(Traceroll.AGENT_LABEL, Traceroll.AGENT_CONTACTED);
      assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.AGENT_SEEN_ANNOTATION);
    }
  }

  private int replicaSets(String ns, String app) {
    return client
        .apps()
        .replicaSets()
        .inNamespace(ns)
        .withLabel("app", app)
        .list()
        .getItems()
        .size();
  }

  private void scaleOperator(int replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(install.namespace)
        .withName("traceroll-operator")
        .scale(replicas);
    await()
        .atMost(ROLLOUT)
        .until(
            () ->
                replicas == 0
                    ? install.cluster.operatorPods(install.namespace).isEmpty()
                    : RealNode.available(client, install.namespace, "traceroll-operator"));
  }

  private void patchRollout(String json) {
    RealNodeE2eTest.patchSpec(client, "rollout", json);
  }
}
