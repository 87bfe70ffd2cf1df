package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.SkippedWorkload;
import io.traceroll.policy.ImageVerdicts;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image probe on real images whose spec names no runtime: the demo shop (a JVM, its image named
 * demo-shop, started by its image's entrypoint) and the toolbox (BusyBox's sh). Both run
 * uninstrumented in a namespace the policy then governs: the operator runs each image once in a
 * locked-down pod on the real node, learns that one is a JVM and the other not, restarts the shop
 * once with the agent, whose pods then prove their agent by polling, and leaves the toolbox alone.
 *
 * <p>{@link #learn} runs first, from {@link RealNodeE2eTest}'s set-up (the other themes' shop pods
 * need the verdict: they are admitted with the agent from the start); the tests read what it saw.
 */
abstract class RealPodImageProbe {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What {@link #learn} saw. */
  record Learned(
      String ns, List<Pod> before, RolloutStatus waiting, ConfigMap verdicts, long seconds) {}

  static Learned learned;

  static void learn(KubernetesClient client, RealNodeInstall install, String policyNs)
      throws IOException {
    String ns = install.namespace("rn-probe", Map.of());
    client.resource(RealNode.shop(ns, "shop", "backend")).create();
    Deployment toolbox = RealNode.shop(ns, "toolbox", "backend");
    var c = toolbox.getSpec().getTemplate().getSpec().getContainers().get(0);
    c.setImage(RealNode.image("TOOLBOX"));
    c.setEnv(List.of());
    c.setCommand(List.of("sh", "-c", "sleep 3600"));
    c.setReadinessProbe(null);
    c.setPorts(List.of());
    client.resource(toolbox).create();
    Deployment traced = RealNode.shop(ns, "traced", "backend");
    traced
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setImage(RealNode.image("TRACED_SHOP"));
    client.resource(traced).create();
    RealNode.awaitAvailable(client, ns, "shop");
    RealNode.awaitAvailable(client, ns, "toolbox");
    RealNode.awaitAvailable(client, ns, "traced");
    List<Pod> before = RealNode.pods(client, ns, "shop");

    long start = System.nanoTime();
    client
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              n.getMetadata().getLabels().putAll(RealNodeInstall.governedBy(policyNs, "traces"));
              return n;
            });
    RolloutStatus[] waiting = new RolloutStatus[1];
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(
            () -> {
              RolloutStatus r = RealNodeE2eTest.policy(client).getStatus().getRollout();
              if (r != null && waiting[0] == null && skipped(r, ns, "shop") != null) {
                waiting[0] = r;
              }
              return r != null
                  && r.getWorkloads().stream()
                      .anyMatch(
                          w ->
                              w.getNamespace().equals(ns)
                                  && w.getName().equals("shop")
                                  && w.getPhase().name().equals("Instrumented"))
                  && RealNode.available(client, ns, "shop");
            });
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    ConfigMap verdicts =
        client.configMaps().inNamespace(install.namespace).withName(ImageVerdicts.CONFIG_MAP).get();
    learned = new Learned(ns, before, waiting[0], verdicts, seconds);
    System.out.printf(
        "image probe: shop instrumented %d s after its namespace was governed%n", seconds);
  }

  static SkippedWorkload skipped(RolloutStatus r, String ns, String name) {
    return r.getSkipped().stream()
        .filter(s -> s.getNamespace().equals(ns) && s.getName().equals(name))
        .findFirst()
        .orElse(null);
  }

  final KubernetesClient client = RealNodeE2eTest.install.client();

  @Test
  void theShopsImageIsProbedAsAJvmAndItsWorkloadRestartedOnceWithTheAgent() throws Exception {
    assertThat(learned.before())
        .as("the shop's first pods: its image named no runtime, so the webhook left them alone")
        .allSatisfy(
            p ->
                assertThat(TestCluster.annotations(p))
                    .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    if (learned.waiting() != null) {
      assertThat(skipped(learned.waiting(), learned.ns(), "shop").getReason())
          .isEqualTo("IMAGE_UNKNOWN");
    }
    JsonNode shop = verdict(RealNode.image("SHOP"));
    assertThat(shop.path("verdict").asText()).isEqualTo("jvm");
    assertThat(shop.path("evidence").asText())
        .isEqualTo(
            "a JVM refused the probe's option (exit 1); the image's JAVA_TOOL_OPTIONS:"
                + " -Dshop.image.option=kept");
    assertThat(shop.has("agent")).as("the shop's own options load no tracer").isFalse();
    assertThat(shop.path("imageID").asText()).startsWith("sha256:");

    List<Pod> pods = RealNode.pods(client, learned.ns(), "shop");
    assertThat(pods).isNotEmpty();
    for (Pod pod : pods) {
      assertThat(TestCluster.annotations(pod)).containsKey(Traceroll.INJECTED_ANNOTATION);
      assertThat(pod.getMetadata().getLabels())
          .containsEntry(Traceroll.AGENT_LABEL, Traceroll.AGENT_CONTACTED);
    }
    assertThat(revisions("shop")).as("one restart").isEqualTo(2);
    var entry =
        RealNodeE2eTest.policy(client).getStatus().getRollout().getWorkloads().stream()
            .filter(w -> w.getNamespace().equals(learned.ns()) && w.getName().equals("shop"))
            .findFirst()
            .orElseThrow();
    assertThat(entry.getDetection()).startsWith("app (JVM: image probe: a JVM refused");
  }

  @Test
  void theToolboxIsProbedAsNoJvmAndLeftAlone() throws Exception {
    JsonNode toolbox = assertLeftAlone("toolbox", "TOOLBOX", "NO_JVM");
    assertThat(toolbox.path("verdict").asText()).isEqualTo("not-jvm");
    assertThat(toolbox.path("evidence").asText())
        .isEqualTo("ran until the probe's deadline without starting a JVM");
  }

  @Test
  void anImageThatLoadsATracerOfItsOwnIsNeverGivenASecond() throws Exception {
    JsonNode traced = assertLeftAlone("traced", "TRACED_SHOP", "AGENT_PRESENT");
    assertThat(traced.path("verdict").asText()).isEqualTo("jvm");
    assertThat(traced.path("agent").asText()).isEqualTo("/opt/otel/opentelemetry-javaagent.jar");
  }

  /**
   * Waits for the verdict on the workload's image and for the rollout to skip it for this reason;
   * then it was never restarted and its pods carry no agent. Returns the verdict.
   */
  private JsonNode assertLeftAlone(String workload, String imageKey, String reason)
      throws Exception {
    String image = RealNode.image(imageKey);
    await().atMost(TestCluster.timeout()).until(() -> verdictOrNull(image) != null);
    await()
        .atMost(TestCluster.timeout())
        .until(
            () -> {
              SkippedWorkload s =
                  skipped(
                      RealNodeE2eTest.policy(client).getStatus().getRollout(),
                      learned.ns(),
                      workload);
              return s != null && s.getReason().equals(reason);
            });
    assertThat(revisions(workload)).as("never restarted").isEqualTo(1);
    assertThat(RealNode.pods(client, learned.ns(), workload))
        .allSatisfy(
            p ->
                assertThat(TestCluster.annotations(p))
                    .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    return verdict(image);
  }

  @Test
  void noProbePodIsLeftBehind() {
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(RealNodeE2eTest.install.namespace)
                    .withLabel(Traceroll.COMPONENT_LABEL, "image-probe")
                    .list()
                    .getItems()
                    .isEmpty());
  }

  private JsonNode verdict(String image) throws IOException {
    JsonNode v = verdictOrNull(image);
    assertThat(v).as("a verdict for " + image).isNotNull();
    return v;
  }

  private JsonNode verdictOrNull(String image) throws IOException {
    ConfigMap map =
        client
            .configMaps()
            .inNamespace(RealNodeE2eTest.install.namespace)
            .withName(ImageVerdicts.CONFIG_MAP)
            .get();
    String value = map == null ? null : map.getData().get(ImageVerdicts.key(image));
    return value == null ? null : JSON.readTree(value);
  }

  /** The Deployment's ReplicaSets: one per template revision. */
  private int revisions(String name) {
    return (int)
        client.apps().replicaSets().inNamespace(learned.ns()).list().getItems().stream()
            .filter(rs -> rs.getMetadata().getName().startsWith(name + "-"))
            .count();
  }
}
