package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.Traceroll;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Namespaces with admission rules of their own: the pods the webhook changed must still pass them,
 * be created and start.
 */
abstract class RealPodAdmission {
  final RealNodeInstall install = RealNodeE2eTest.install;
  final KubernetesClient client = install.client();

  @Test
  void injectedPodsRunInANamespaceEnforcingRestrictedPodSecurity() throws Exception {
    String ns = RealNodeE2eTest.governedNamespace("rn-restricted", InstallPath.RESTRICTED);
    Deployment app = RealNode.shop(ns, "backend", "backend");
    app.getSpec()
        .getTemplate()
        .getSpec()
        .setSecurityContext(
            new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build());
    app.getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setSecurityContext(
            new SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build());
    client.resource(app).create();

    RealNode.awaitAvailable(client, ns, "backend");
    assertRunsWithTheAgent(ns);
  }

  @Test
  void injectedPodsPassALimitRangeTheirOriginalsPass() throws Exception {
    String ns = RealNodeE2eTest.governedNamespace("rn-limits", Map.of());
    // Bounds an ordinary namespace sets: at most 300m and at least 50m of CPU per container, limit
    // at most 4x the request. A fixed init container (10m/500m) broke all three.
    LimitRange limits =
        new LimitRangeBuilder()
            .withNewMetadata()
            .withName("limits")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewLimit()
            .withType("Container")
            .addToMax("cpu", new Quantity("300m"))
            .addToMin("cpu", new Quantity("50m"))
            .addToMaxLimitRequestRatio("cpu", new Quantity("4"))
            .endLimit()
            .endSpec()
            .build();
    client.resource(limits).create();
    client.resource(withCpu(RealNode.shop(ns, "backend", "backend"), 1)).create();

    RealNode.awaitAvailable(client, ns, "backend");
    Pod pod = assertRunsWithTheAgent(ns);
    assertThat(pod.getSpec().getInitContainers().get(0).getResources().getLimits())
        .containsEntry("cpu", new Quantity("300m"));
  }

  @Test
  void injectedPodsUseTheQuotaTheirOriginalsWould() throws Exception {
    String ns = RealNodeE2eTest.governedNamespace("rn-quota", Map.of());
    // Exactly what two uninstrumented replicas take.
    ResourceQuota quota =
        new ResourceQuotaBuilder()
            .withNewMetadata()
            .withName("quota")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addToHard("requests.cpu", new Quantity("200m"))
            .addToHard("limits.cpu", new Quantity("600m"))
            .endSpec()
            .build();
    client.resource(quota).create();
    client.resource(withCpu(RealNode.shop(ns, "backend", "backend"), 2)).create();

    RealNode.awaitAvailable(client, ns, "backend");
    assertThat(RealNode.pods(client, ns, "backend"))
        .hasSize(2)
        .allSatisfy(
            p -> assertThat(TestCluster.annotations(p)).containsKey(Traceroll.INJECTED_ANNOTATION));
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .resourceQuotas()
                            .inNamespace(ns)
                            .withName("quota")
                            .get()
                            .getStatus()
                            .getUsed())
                    .containsEntry("requests.cpu", new Quantity("200m"))
                    .containsEntry("limits.cpu", new Quantity("600m")));
  }

  /** The app container at 100m CPU requested, 300m the limit; this many replicas. */
  private static Deployment withCpu(Deployment d, int replicas) {
    d.getSpec().setReplicas(replicas);
    var resources = d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
    resources.getRequests().put("cpu", new Quantity("100m"));
    resources.getLimits().put("cpu", new Quantity("300m"));
    return d;
  }

  private Pod assertRunsWithTheAgent(String ns) {
    Pod pod = RealNode.pods(client, ns, "backend").get(0);
    assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.INJECTED_ANNOTATION);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    assertThat(pod.getStatus().getInitContainerStatuses().get(0).getState().getTerminated())
        .satisfies(t -> assertThat(t.getExitCode()).isZero());
    return pod;
  }
}
