package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
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
  void injectedPodsRunInANamespaceWithALimitRange() throws Exception {
    String ns = RealNodeE2eTest.governedNamespace("rn-limits", Map.of());
    // Defaults for containers that set nothing (the init container sets its own) and a per
    // container maximum the app and the agent's copy both fit.
    LimitRange limits =
        new LimitRangeBuilder()
            .withNewMetadata()
            .withName("limits")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewLimit()
            .withType("Container")
            .addToDefault("cpu", new Quantity("500m"))
            .addToDefault("memory", new Quantity("384Mi"))
            .addToDefaultRequest("cpu", new Quantity("20m"))
            .addToDefaultRequest("memory", new Quantity("64Mi"))
            .addToMax("cpu", new Quantity("1"))
            .addToMax("memory", new Quantity("1Gi"))
            .endLimit()
            .endSpec()
            .build();
    client.resource(limits).create();
    client.resource(RealNode.shop(ns, "backend", "backend")).create();

    RealNode.awaitAvailable(client, ns, "backend");
    Pod pod = assertRunsWithTheAgent(ns);
    assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
        .as("the LimitRange's default applied")
        .containsEntry("cpu", new Quantity("500m"));
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
