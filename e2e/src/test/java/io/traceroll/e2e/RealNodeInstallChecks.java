package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.Traceroll;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's install, for real: its two operator pods run the image built from operator/Dockerfile
 * on the real node, one holds the leader Lease, and the API server reaches the webhook (and a
 * person the health and metrics endpoints) only through the chart's Services.
 */
abstract class RealNodeInstallChecks {
  final RealNodeInstall install = RealNodeE2eTest.install;
  final KubernetesClient client = install.client();

  @Test
  void twoOperatorPodsRunTheLocalImageOnTheRealNodeAndOneLeads() throws Exception {
    List<Pod> pods = install.cluster.operatorPods(install.namespace);
    assertThat(pods).hasSize(2);
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).isEqualTo(RealNode.NAME);
      assertThat(pod.getSpec().getContainers().get(0).getImage())
          .isEqualTo(RealNode.image("OPERATOR"));
      assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
    }
    List<String> names = pods.stream().map(p -> p.getMetadata().getName()).toList();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> assertThat(install.leaderLease().getSpec().getHolderIdentity()).isIn(names));
  }

  @Test
  void theApiServerCallsTheWebhookThroughItsServiceWithTheSelfIssuedCertificate() {
    MutatingWebhook webhook = install.cluster.webhookConfiguration().getWebhooks().get(0);
    assertThat(webhook.getClientConfig().getUrl()).isNull();
    assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("traceroll-webhook");
    assertThat(webhook.getClientConfig().getCaBundle()).isNotEmpty();
    assertThat(install.certificateSecret()).isNotNull();

    // The only way from the API server to the operator pods is the Service: a pod it admits in a
    // governed namespace comes back with the agent.
    String ns = RealNodeE2eTest.governedNamespace("rn-admit", Map.of());
    install.cluster.awaitInjects(ns);
    Pod admitted = install.cluster.dryRunPod(ns);
    assertThat(TestCluster.annotations(admitted))
        .containsEntry(
            Traceroll.INJECTED_ANNOTATION,
            RealNodeE2eTest.policyNs
                + "."
                + RealNodeE2eTest.POLICY
                + "@"
                + RealNodeE2eTest.policy(client).getMetadata().getGeneration());
  }

  @Test
  void readinessAndMetricsAnswerThroughTheMetricsService() throws Exception {
    assertThat(
            RealNode.awaitServing(client, install.namespace, "traceroll-metrics", 8081, "/readyz"))
        .isNotBlank();
    assertThat(RealNode.get(client, install.namespace, "traceroll-metrics", 8081, "/metrics"))
        .contains("traceroll_admissions");
  }
}
