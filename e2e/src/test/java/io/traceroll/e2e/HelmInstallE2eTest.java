package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart installed by the real helm into a fresh namespace that enforces restricted Pod
 * Security: the API server accepts every object and KWOK runs the operator's pods. The operator jar
 * then runs out of cluster with a token of the chart's ServiceAccount and carries a policy through
 * its life (Tempo and a tail-sampling gateway up, three kinds of workload instrumented, sampling
 * changed, the gateway removed, the policy deleted and its agent taken out) without one Forbidden;
 * the audit log shows every call was granted and accounts for each grant it did not need. Last,
 * helm uninstall removes every object the chart created.
 *
 * <p>The chart's names are canonical (the ClusterRole is traceroll-operator, whatever the release),
 * so this class installs one release and removes it again; the other e2e classes run their own
 * operator and use none of its objects.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmInstallE2eTest {
  static final String RELEASE = "traceroll";
  static final String ACCOUNT = "traceroll-operator";
  static final String POLICY = "traced";
  static final String SELECTOR_LABEL = "traceroll.io/e2e-install";
  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  /**
   * Grants of the canonical RBAC this test's scenario may leave unused, and why each stays. The
   * test fails when the chart grants anything that is neither used nor listed here.
   */
  static final Map<String, String> KEPT_UNUSED =
      Map.ofEntries(
          Map.entry(
              "traceroll.io/tracingpolicies:get",
              "JOSDK re-reads a policy when a finalizer patch conflicts"),
          Map.entry(
              "traceroll.io/tracingpolicies/finalizers:update",
              "needed to set blockOwnerDeletion where OwnerReferencesPermissionEnforcement is on (OpenShift), and the children's owner references set none"),
          Map.entry(
              "admissionregistration.k8s.io/mutatingwebhookconfigurations:create",
              "the chart creates the configuration; an operator run without an install path"
                  + " (make demo, java -jar) creates it itself"),
          Map.entry("/configmaps:get", "get adds nothing to list and watch"),
          Map.entry("/services:get", "get adds nothing to list and watch"),
          Map.entry(
              "/secrets:update",
              "the leader re-issues the webhook certificate 30 days before expiry"),
          Map.entry("/pods:get", "get adds nothing to list and watch"),
          Map.entry("/namespaces:get", "get adds nothing to list and watch"),
          Map.entry(
              "apps/statefulsets:create",
              "Tempo on a volume (storage pv) is a StatefulSet; this test runs memory storage"),
          Map.entry("apps/statefulsets:delete", "a StatefulSet Tempo goes when storage leaves pv"),
          Map.entry(
              "coordination.k8s.io/leases:update",
              "JOSDK checks get, create and update on the Lease at start-up; fabric8 renews it by patch"));

  static TestCluster cluster;
  static String namespace;
  static Manifests installed;
  static OperatorProcess operator;
  static final List<String> namespaces = new ArrayList<>();

  @RegisterExtension
  final FailureDiagnostics diagnostics =
      new FailureDiagnostics(() -> operator, () -> cluster, namespaces);

  @BeforeAll
  static void install() throws Exception {
    cluster = new TestCluster();
    uninstallLeftover(cluster);
    // The chart creates the webhook configuration; one that another e2e class's out-of-cluster
    // operator registered would make helm refuse the install.
    cluster.deleteWebhookConfiguration();
    namespace =
        cluster.createNamespace(
            "traceroll-install", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    namespaces.add(namespace);
    PinnedTool.HELM.succeed(
        "install", RELEASE, "../helm/traceroll", "-n", namespace, "--wait", "--timeout", "120s");
    installed =
        Manifests.parse(
            PinnedTool.HELM.succeed("get", "manifest", RELEASE, "-n", namespace).stdout());
  }

  @Test
  @Order(1)
  void apiServerAcceptsEveryObjectAndKwokRunsTheOperatorPods() {
    assertThat(installed.byKey().keySet())
        .containsExactlyInAnyOrder(
            "ServiceAccount/" + namespace + "/traceroll-operator",
            "ClusterRole//traceroll-operator",
            "ClusterRoleBinding//traceroll-operator",
            "Role/" + namespace + "/traceroll-operator",
            "RoleBinding/" + namespace + "/traceroll-operator",
            "Deployment/" + namespace + "/traceroll-operator",
            "Service/" + namespace + "/traceroll-webhook",
            "Service/" + namespace + "/traceroll-sampling",
            "Service/" + namespace + "/traceroll-metrics",
            "PodDisruptionBudget/" + namespace + "/traceroll-operator",
            "MutatingWebhookConfiguration//traceroll-webhook");
    installed.all().forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNotNull());
    assertThat(
            cluster
                .client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("tracingpolicies.traceroll.io")
                .get())
        .as("the CRD from the chart's crds/")
        .isNotNull();

    // Restricted Pod Security admitted the pods; the scheduler put them on KWOK nodes.
    List<Pod> pods = cluster.operatorPods(namespace);
    assertThat(pods).hasSize(2);
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(ACCOUNT);
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    }
    assertThat(
            cluster
                .client
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName("traceroll-operator")
                .get()
                .getStatus()
                .getAvailableReplicas())
        .isEqualTo(2);
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              PodDisruptionBudget pdb =
                  cluster
                      .client
                      .policy()
                      .v1()
                      .podDisruptionBudget()
                      .inNamespace(namespace)
                      .withName("traceroll-operator")
                      .get();
              assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(2);
              assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(1);
            });
  }

  @Test
  @Order(2)
  void theChartsServiceAccountCarriesAPolicyThroughItsLifeWithoutAForbidden() throws Exception {
    String shop = namespace("shop", Map.of());
    String obs = namespace("obs", Map.of());
    createWorkloads(shop);
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                podsIn(shop).size() == 5
                    && podsIn(shop).stream().allMatch(HelmInstallE2eTest::ready));

    // An admission that outlasts the API server's timeout admits the pod without the agent
    // (failing open), and the rollout restarts it again only after the health-gate timeout. On a
    // busy 2-core machine the first admissions of a cold webhook, or a burst of them, can take
    // over 3 s: allow the maximum 5 s, and warm the webhook up on dry-run pods in a governed
    // namespace without workloads before the real workloads are selected.
    operator =
        OperatorProcess.start(
            namespace,
            Map.of(
                "KUBECONFIG",
                cluster.serviceAccountKubeconfig(namespace, ACCOUNT).toString(),
                "TRACEROLL_WEBHOOK_TIMEOUT_SECONDS",
                "5"));
    createPolicy(obs, shop);
    String warm = namespace("warm", Map.of(SELECTOR_LABEL, shop));
    awaitWebhookInjects(warm);
    cluster
        .client
        .namespaces()
        .withName(shop)
        .patch(MERGE, "{\"metadata\":{\"labels\":{\"" + SELECTOR_LABEL + "\":\"" + shop + "\"}}}");

    // Tempo and the gateway run, the three workloads restart with the agent.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              TracingPolicy policy = policy(obs);
              assertThat(readyCondition(policy)).isEqualTo("True");
              RolloutStatus rollout = policy.getStatus().getRollout();
              assertThat(rollout).isNotNull();
              assertThat(rollout.getInstrumented()).isEqualTo(3);
              assertThat(podsIn(shop))
                  .hasSize(5)
                  .allSatisfy(
                      p ->
                          assertThat(p.getMetadata().getAnnotations())
                              .containsKey(Traceroll.INJECTED_ANNOTATION));
            });

    // A sampling change rewrites the sampling ConfigMap.
    // Merge patches without a resourceVersion: the operator writes the policy meanwhile.
    patchPolicy(obs, "{\"spec\":{\"sampling\":{\"default\":{\"ratio\":0.5}}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                String.valueOf(
                        cluster
                            .client
                            .configMaps()
                            .inNamespace(obs)
                            .withName(POLICY + "-sampling")
                            .get()
                            .getData())
                    .contains("0.5"));

    // The backend becomes an OTLP endpoint that takes headers from the user's Secret: the
    // operator reads that Secret by name and applies the gateway's copy (it may not list or
    // watch Secrets); Tempo goes.
    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("vendor-key")
                .withNamespace(obs)
                .endMetadata()
                .addToStringData("headers", "api-key=s3cr%3Dt")
                .build())
        .create();
    patchPolicy(
        obs,
        "{\"spec\":{\"backend\":{\"tempo\":null,\"otlpEndpoint\":{\"endpoint\":"
            + "\"http://collector.example:4317\",\"protocol\":\"grpc\","
            + "\"headersSecretName\":\"vendor-key\"}}}}");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              assertThat(headersCopy(obs)).isNotNull();
              assertThat(headersCopy(obs).getData()).containsKey("headers.json");
              assertThat(
                      cluster
                          .client
                          .apps()
                          .deployments()
                          .inNamespace(obs)
                          .withName(POLICY + "-tempo")
                          .get())
                  .isNull();
            });

    // Without tail the gateway's Deployment, Service, ConfigMap and headers Secret go.
    patchPolicy(obs, "{\"spec\":{\"sampling\":{\"tail\":null}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                cluster
                            .client
                            .apps()
                            .deployments()
                            .inNamespace(obs)
                            .withName(POLICY + "-gateway")
                            .get()
                        == null
                    && cluster
                            .client
                            .services()
                            .inNamespace(obs)
                            .withName(POLICY + "-gateway")
                            .get()
                        == null
                    && cluster
                            .client
                            .configMaps()
                            .inNamespace(obs)
                            .withName(POLICY + "-gateway-config")
                            .get()
                        == null
                    && headersCopy(obs) == null);

    // Deleting the policy takes the agent out of the workloads, then the finalizer goes.
    cluster.client.resources(TracingPolicy.class).inNamespace(obs).withName(POLICY).delete();
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              assertThat(policy(obs)).isNull();
              assertThat(podsIn(shop))
                  .hasSize(5)
                  .allSatisfy(
                      p ->
                          assertThat(p.getMetadata().getAnnotations())
                              .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
            });

    // A refusal reads "Forbidden" and "code=403" in fabric8's errors; a bare " 403" would also
    // match a random port such as 40383 in the start-up line.
    assertThat(operator.logs())
        .doesNotContainIgnoringCase("forbidden")
        .doesNotContainPattern("code=403\\b|\\b403 Forbidden");
    assertThat(operator.isAlive()).isTrue();

    // The certificate Secret and the Lease the operator wrote belong to the chart's webhook
    // configuration, so uninstalling removes them (checked after the uninstall).
    String configurationUid =
        cluster
            .client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("traceroll-webhook")
            .get()
            .getMetadata()
            .getUid();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        List.of(
                            cluster
                                .client
                                .secrets()
                                .inNamespace(namespace)
                                .withName("traceroll-webhook-tls")
                                .get(),
                            cluster
                                .client
                                .leases()
                                .inNamespace(namespace)
                                .withName("traceroll-operator-leader")
                                .get()))
                    .allSatisfy(
                        o ->
                            assertThat(o.getMetadata().getOwnerReferences())
                                .anyMatch(r -> r.getUid().equals(configurationUid))));
  }

  @Test
  @Order(3)
  void everyCallWasGrantedAndEveryUnusedGrantIsAccountedFor() {
    Optional<AuditLog> log = AuditLog.ofCurrentCluster();
    assumeTrue(log.isPresent(), "no audit log beside KUBECONFIG: not a local cluster of up.sh");
    AuditLog audit = log.get();
    List<AuditLog.Call> calls = audit.callsBy("system:serviceaccount:" + namespace + ":" + ACCOUNT);
    assertThat(calls).as("the operator's calls in the audit log").isNotEmpty();
    assertThat(calls).as("calls the API server refused").noneMatch(c -> c.code() == 403);

    Set<String> used = AuditLog.permissions(calls);
    Set<String> granted = granted(installed);
    assertThat(granted).as("RBAC of the chart").containsAll(used);
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    StringBuilder table = new StringBuilder("\nRBAC used by the operator (audit log):\n");
    used.forEach(p -> table.append("  used    ").append(p).append('\n'));
    unused.forEach(
        p ->
            table
                .append("  unused  ")
                .append(p)
                .append("  -- ")
                .append(KEPT_UNUSED.getOrDefault(p, "NOT ACCOUNTED FOR"))
                .append('\n'));
    System.out.println(table);
    assertThat(KEPT_UNUSED.keySet())
        .as("grants neither used nor accounted for%s", table)
        .containsAll(unused);
    assertThat(granted)
        .as("reasons kept for grants the chart no longer has")
        .containsAll(KEPT_UNUSED.keySet());
  }

  @Test
  @Order(4)
  void uninstallRemovesEveryObjectTheChartCreated() throws Exception {
    stopOperator();
    PinnedTool.HELM.succeed("uninstall", RELEASE, "-n", namespace, "--wait", "--timeout", "120s");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              installed
                  .all()
                  .forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNull());
              assertThat(cluster.operatorPods(namespace)).isEmpty();
              // What the operator wrote in the namespace is owned by the webhook configuration
              // the chart created, so the garbage collector removed it with the release.
              assertThat(
                      cluster
                          .client
                          .secrets()
                          .inNamespace(namespace)
                          .withName("traceroll-webhook-tls")
                          .get())
                  .as("the operator's certificate Secret")
                  .isNull();
              assertThat(
                      cluster
                          .client
                          .leases()
                          .inNamespace(namespace)
                          .withName("traceroll-operator-leader")
                          .get())
                  .as("the leader Lease")
                  .isNull();
            });
    // Helm leaves CRDs (and so every policy) alone on uninstall; deleting the CRD is the user's.
    assertThat(
            cluster
                .client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("tracingpolicies.traceroll.io")
                .get())
        .isNotNull();
    assertThat(PinnedTool.HELM.run("status", RELEASE, "-n", namespace).exitCode()).isNotZero();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      stopOperator();
      PinnedTool.HELM.run("uninstall", RELEASE, "-n", namespace, "--wait");
      namespaces.forEach(cluster::deleteNamespace);
    } finally {
      cluster.client.close();
    }
  }

  /**
   * A release of an earlier, aborted run (of this class or of CertManagerE2eTest) holds the
   * cluster-wide names; helm would refuse.
   */
  static void uninstallLeftover(TestCluster cluster) throws Exception {
    var role = cluster.client.rbac().clusterRoles().withName("traceroll-operator").get();
    if (role == null || role.getMetadata().getAnnotations() == null) {
      return;
    }
    String ns = role.getMetadata().getAnnotations().get("meta.helm.sh/release-namespace");
    if (ns != null) {
      PinnedTool.HELM.run("uninstall", RELEASE, "-n", ns, "--wait");
      cluster.deleteNamespace(ns);
    }
  }

  private static void stopOperator() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  /** A Deployment, a StatefulSet and a DaemonSet (3 pods on the 3 KWOK nodes) of one container. */
  private static void createWorkloads(String ns) {
    var labels = Map.of("app", "web");
    cluster
        .client
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .withMatchLabels(labels)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/web:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    var db = Map.of("app", "db");
    cluster
        .client
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("db")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withServiceName("db")
                .withNewSelector()
                .withMatchLabels(db)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(db)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/db:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    var agent = Map.of("app", "node-agent");
    cluster
        .client
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("node-agent")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(agent)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(agent)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/agent:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  /** Tempo in memory behind a tail-sampling gateway, selecting only this test's namespace. */
  private static void createPolicy(String ns, String selected) {
    String yaml =
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          selector:
            namespaceSelector: {matchLabels: {%s: %s}}
          backend:
            tempo: {storage: {type: memory}}
          sampling:
            default: {ratio: 1.0}
            tail: {keepErrors: true, ratio: 0.1}
          rollout: {strategy: Staged, maxConcurrent: 3, healthGate: {timeout: 30s}}
        """
            .formatted(POLICY, ns, SELECTOR_LABEL, selected);
    cluster
        .client
        .resource(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .inNamespace(ns)
        .create();
  }

  private static String namespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    namespaces.add(0, ns); // deleted before the operator's namespace
    return ns;
  }

  /** Waits until a pod created (dry run) in the namespace comes back with the agent injected. */
  private static void awaitWebhookInjects(String ns) {
    Pod probe =
        new PodBuilder()
            .withNewMetadata()
            .withGenerateName("warm-up-")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("example/app:1")
            .endContainer()
            .endSpec()
            .build();
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Pod admitted = cluster.client.resource(probe).dryRun().create();
              var annotations = admitted.getMetadata().getAnnotations();
              return annotations != null && annotations.containsKey(Traceroll.INJECTED_ANNOTATION);
            });
  }

  /** group/resource:verb for every rule of the ClusterRole and the Role (no wildcards). */
  static Set<String> granted(Manifests manifests) {
    Set<String> out = new TreeSet<>();
    for (ObjectNode object : manifests.all()) {
      if (!Set.of("ClusterRole", "Role").contains(object.path("kind").asText())) {
        continue;
      }
      for (JsonNode rule : object.path("rules")) {
        for (JsonNode group : rule.path("apiGroups")) {
          for (JsonNode resource : rule.path("resources")) {
            for (JsonNode verb : rule.path("verbs")) {
              assertThat(List.of(group.asText(), resource.asText(), verb.asText()))
                  .doesNotContain("*");
              out.add(group.asText() + "/" + resource.asText() + ":" + verb.asText());
            }
          }
        }
      }
    }
    return out;
  }

  private static List<Pod> podsIn(String ns) {
    return cluster.client.pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static void patchPolicy(String ns, String mergePatch) {
    cluster
        .client
        .resources(TracingPolicy.class)
        .inNamespace(ns)
        .withName(POLICY)
        .patch(MERGE, mergePatch);
  }

  private static Secret headersCopy(String ns) {
    return cluster.client.secrets().inNamespace(ns).withName(POLICY + "-gateway-headers").get();
  }

  private static TracingPolicy policy(String ns) {
    return cluster.client.resources(TracingPolicy.class).inNamespace(ns).withName(POLICY).get();
  }

  private static String readyCondition(TracingPolicy policy) {
    if (policy == null || policy.getStatus() == null) {
      return null;
    }
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }
}
