package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The GitOps path for real: {@code kubectl apply -k deploy/default} on the local API server, the
 * operator pods scheduled on KWOK nodes, the operator run with a token of the ServiceAccount the
 * manifests created carrying a policy to Ready (so their RBAC is enough), and {@code kubectl delete
 * -k deploy/default} leaving none of the objects behind, nor what the operator wrote in its
 * namespace (certificate Secret, leader Lease).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KustomizeInstallE2eTest {
  static final String OVERLAY = "../deploy/default";
  static final String NAMESPACE = TestCluster.OPERATOR_NAMESPACE;
  static final String ACCOUNT = "traceroll-operator";

  static TestCluster cluster;
  static Manifests rendered;
  static OperatorProcess operator;
  static final List<String> namespaces = new ArrayList<>();

  @RegisterExtension
  final FailureDiagnostics diagnostics =
      new FailureDiagnostics(() -> operator, () -> cluster, namespaces);

  @BeforeAll
  static void startClean() throws Exception {
    cluster = new TestCluster();
    // Out-of-cluster operators of other test classes leave their webhook configuration, Lease
    // and certificate Secret; the install must start from a cluster without them.
    HelmInstallE2eTest.uninstallLeftover(cluster);
    cluster.deleteWebhookConfiguration();
    cluster.client.namespaces().withName(NAMESPACE).withTimeout(60, TimeUnit.SECONDS).delete();
    rendered = Manifests.parse(PinnedTool.KUBECTL.succeed("kustomize", OVERLAY).stdout());
  }

  @Test
  @Order(1)
  void applyCreatesEveryObjectAndKwokRunsTheOperatorPods() throws Exception {
    namespaces.add(NAMESPACE);
    PinnedTool.KUBECTL.succeed("apply", "-k", OVERLAY);

    rendered.all().forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNotNull());
    PinnedTool.KUBECTL.succeed(
        "wait", "--for=condition=Established", "crd/tracingpolicies.traceroll.io");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              List<Pod> pods = cluster.operatorPods(NAMESPACE);
              assertThat(pods).hasSize(2);
              for (Pod pod : pods) {
                assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
                assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
              }
            });
  }

  @Test
  @Order(2)
  void theInstalledServiceAccountCarriesAPolicyToReady() throws Exception {
    String obs = cluster.createNamespace("kustomize-obs", Map.of());
    namespaces.add(0, obs);
    operator =
        OperatorProcess.start(
            NAMESPACE,
            Map.of("KUBECONFIG", cluster.serviceAccountKubeconfig(NAMESPACE, ACCOUNT).toString()));
    TracingPolicy policy = TestCluster.sample("tracingpolicy-otlp.yaml", obs);
    cluster.client.resource(policy).create();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(readyStatus(obs, policy.getMetadata().getName())).isEqualTo("True");
              assertThat(webhookNames()).anyMatch(n -> n.contains(policy.getMetadata().getName()));
            });
    // What the operator writes in its own namespace: the certificate it serves and its Lease.
    assertThat(
            cluster.client.secrets().inNamespace(NAMESPACE).withName("traceroll-webhook-tls").get())
        .isNotNull();
    assertThat(
            cluster
                .client
                .leases()
                .inNamespace(NAMESPACE)
                .withName("traceroll-operator-leader")
                .get())
        .isNotNull();

    cluster.client.resource(policy).delete();
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                cluster
                        .client
                        .resources(TracingPolicy.class)
                        .inNamespace(obs)
                        .withName(policy.getMetadata().getName())
                        .get()
                    == null);
    assertThat(operator.logs())
        .doesNotContainIgnoringCase("forbidden")
        .doesNotContainPattern("code=403\\b|\\b403 Forbidden");
  }

  @Test
  @Order(3)
  void deleteRemovesEveryObjectAndWhatTheOperatorWroteInItsNamespace() throws Exception {
    stopOperator();
    // Deleting the CRD deletes every policy; one an aborted earlier test class left behind, whose
    // operator is gone, would hold the CRD on its finalizer.
    for (TracingPolicy left :
        cluster.client.resources(TracingPolicy.class).inAnyNamespace().list().getItems()) {
      cluster
          .client
          .resource(left)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }
    PinnedTool.KUBECTL.succeed("delete", "-k", OVERLAY, "--wait=true", "--timeout=120s");
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              rendered
                  .all()
                  .forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNull());
              // The namespace went last, with the Secret and Lease the operator created in it.
              assertThat(cluster.client.namespaces().withName(NAMESPACE).get()).isNull();
            });
    namespaces.remove(NAMESPACE);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      stopOperator();
      namespaces.forEach(cluster::deleteNamespace);
      if (cluster.client.namespaces().withName(NAMESPACE).get() != null) {
        PinnedTool.KUBECTL.run("delete", "-k", OVERLAY, "--ignore-not-found", "--wait=false");
      }
    } finally {
      cluster.client.close();
    }
  }

  private static void stopOperator() throws InterruptedException {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  private static List<String> webhookNames() {
    var configuration =
        cluster
            .client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("traceroll-webhook")
            .get();
    return configuration == null || configuration.getWebhooks() == null
        ? List.of()
        : configuration.getWebhooks().stream().map(MutatingWebhook::getName).toList();
  }

  private static String readyStatus(String ns, String name) {
    TracingPolicy policy =
        cluster.client.resources(TracingPolicy.class).inNamespace(ns).withName(name).get();
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
