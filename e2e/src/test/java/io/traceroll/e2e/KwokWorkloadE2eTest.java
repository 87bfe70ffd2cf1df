package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.Traceroll;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local cluster runs workloads: Deployments get Running, Ready pods on KWOK nodes. */
class KwokWorkloadE2eTest {
  static TestCluster cluster;
  static String ns;

  @BeforeAll
  static void createNamespace() {
    cluster = new TestCluster();
    ns = cluster.createNamespace("shop", Map.of(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED));
  }

  @AfterAll
  static void cleanUp() {
    cluster.deleteNamespace(ns);
    cluster.client.close();
  }

  @Test
  void deploymentInALabelledNamespaceGetsRunningReadyPods() {
    cluster.client.resource(javaApp("checkout", 2, Map.of())).create();

    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              List<Pod> pods = pods("checkout");
              assertThat(pods).hasSize(2);
              assertThat(pods)
                  .allSatisfy(
                      p -> {
                        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                        assertThat(p.getSpec().getNodeName()).isNotBlank();
                        assertThat(p.getStatus().getConditions())
                            .anySatisfy(
                                c -> {
                                  assertThat(c.getType()).isEqualTo("Ready");
                                  assertThat(c.getStatus()).isEqualTo("True");
                                });
                      });
              Deployment d =
                  cluster.client.apps().deployments().inNamespace(ns).withName("checkout").get();
              assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
            });
  }

  @Test
  void aPodLabelledToCrashLoopsWithRisingRestarts() {
    cluster
        .client
        .resource(javaApp("broken", 1, Map.of("traceroll.io/simulate", "crashloop")))
        .create();

    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              List<Pod> pods = pods("broken");
              assertThat(pods).singleElement();
              var status = pods.get(0).getStatus().getContainerStatuses().get(0);
              assertThat(status.getReady()).isFalse();
              assertThat(status.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
              assertThat(status.getRestartCount()).isGreaterThanOrEqualTo(2);
            });
  }

  private List<Pod> pods(String app) {
    return cluster.client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
  }

  private Deployment javaApp(String name, int replicas, Map<String, String> extraPodLabels) {
    return Workloads.deployment(
        ns,
        name,
        replicas,
        "app",
        extraPodLabels,
        c -> c.withImage("eclipse-temurin:17-jre").withCommand("java", "-jar", "/app/app.jar"));
  }
}
