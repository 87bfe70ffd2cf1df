package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  @RegisterExtension static final KustomizeInstall kustomize = new KustomizeInstall();

  /** The overlay, rendered before the tests and applied by the first. */
  static final class KustomizeInstall extends InstallPath {
    static final String OVERLAY = "../deploy/default";

    Manifests rendered;

    /**
     * Starts from a cluster without what the overlay creates: the operator namespace, and the
     * webhook configuration, Lease and certificate Secret out-of-cluster operators of other test
     * classes leave.
     */
    @Override
    void setUp() throws Exception {
      namespace = TestCluster.OPERATOR_NAMESPACE;
      removeLeftovers();
      client().namespaces().withName(namespace).withTimeout(60, TimeUnit.SECONDS).delete();
      registerInstallNamespace(namespace);
      rendered = Manifests.parse(PinnedTool.KUBECTL.succeed("kustomize", OVERLAY).stdout());
    }

    @Override
    void tearDown() throws Exception {
      if (client().namespaces().withName(namespace).get() != null) {
        PinnedTool.KUBECTL.run("delete", "-k", OVERLAY, "--ignore-not-found", "--wait=false");
      }
    }
  }

  @Test
  @Order(1)
  void applyCreatesEveryObjectAndKwokRunsTheOperatorPods() throws Exception {
    PinnedTool.KUBECTL.succeed("apply", "-k", KustomizeInstall.OVERLAY);

    kustomize.assertAllLive(kustomize.rendered);
    PinnedTool.KUBECTL.succeed("wait", "--for=condition=Established", "crd/" + InstallPath.CRD);
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                InstallPath.assertRunOnKwok(
                    kustomize.cluster.operatorPods(kustomize.namespace), 2));
  }

  @Test
  @Order(2)
  void theInstalledServiceAccountCarriesAPolicyToReady() throws Exception {
    String obs = kustomize.namespace("kustomize-obs", Map.of());
    kustomize.startOperator(Map.of());
    TracingPolicy policy = TestCluster.sample("tracingpolicy-otlp.yaml", obs);
    String name = policy.getMetadata().getName();
    kustomize.client().resource(policy).create();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(kustomize.cluster.readyStatus(obs, name)).isEqualTo("True");
              assertThat(webhookNames()).anyMatch(n -> n.contains(name));
            });
    // What the operator writes in its own namespace: the certificate it serves and its Lease.
    assertThat(kustomize.certificateSecret()).isNotNull();
    assertThat(kustomize.leaderLease()).isNotNull();

    kustomize.client().resource(policy).delete();
    await().atMost(TestCluster.timeout()).until(() -> kustomize.cluster.policy(obs, name) == null);
    kustomize.assertOperatorWasRefusedNothing();
  }

  @Test
  @Order(3)
  void deleteRemovesEveryObjectAndWhatTheOperatorWroteInItsNamespace() throws Exception {
    kustomize.stopOperator();
    // Deleting the CRD deletes every policy; one an aborted earlier test class left behind, whose
    // operator is gone, would hold the CRD on its finalizer.
    kustomize.cluster.dropFinalizers(
        kustomize.client().resources(TracingPolicy.class).inAnyNamespace().list().getItems());
    PinnedTool.KUBECTL.succeed(
        "delete", "-k", KustomizeInstall.OVERLAY, "--wait=true", "--timeout=120s");
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              kustomize.assertNoneLive(kustomize.rendered);
              // The namespace went last, with the Secret and Lease the operator created in it.
              assertThat(kustomize.client().namespaces().withName(kustomize.namespace).get())
                  .isNull();
            });
  }

  private static List<String> webhookNames() {
    var configuration = kustomize.cluster.webhookConfiguration();
    return configuration == null || configuration.getWebhooks() == null
        ? List.of()
        : configuration.getWebhooks().stream().map(MutatingWebhook::getName).toList();
  }
}
