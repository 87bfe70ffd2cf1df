package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.cluster.LeanSerialization;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent's call marks the one pending, running pod at its address, and nothing else. */
@EnableKubernetesMockClient(crud = true)
class AgentContactTest {
  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  KubernetesClient client;
  KubernetesClient reads;
  AgentContact contact;

  @BeforeEach
  void start() {
    reads = LeanSerialization.client(client);
    contact = new AgentContact(client, reads, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    contact.close();
    reads.close();
  }

  @Test
  void thePendingRunningPodAtTheCallersAddressIsMarkedContacted() throws Exception {
    create(pod("shop", "checkout", "10.0.0.5", Traceroll.AGENT_PENDING, "Running", false));
    watchAndSync();

    contact.seen(InetAddress.getByName("10.0.0.5"), "checkout");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> label("shop", "checkout"), Traceroll.AGENT_CONTACTED::equals);
    assertThat(get("shop", "checkout").getMetadata().getAnnotations())
        .containsEntry(Traceroll.AGENT_SEEN_ANNOTATION, NOW.toString());
  }

  @Test
  void callsFromOtherAddressesOrPodsThatCannotCallChangeNothing() throws Exception {
    create(pod("shop", "starting", "10.0.0.6", Traceroll.AGENT_PENDING, "Pending", false));
    create(pod("shop", "host", "10.0.0.7", Traceroll.AGENT_PENDING, "Running", true));
    create(pod("shop", "plain", "10.0.0.8", null, "Running", false));
    create(pod("shop", "target", "10.0.0.9", Traceroll.AGENT_PENDING, "Running", false));
    watchAndSync();

    for (String ip : new String[] {"10.0.0.6", "10.0.0.7", "10.0.0.8", "192.0.2.1"}) {
      contact.seen(InetAddress.getByName(ip), "checkout");
    }
    // One worker handles calls in order: once the last one is done, the earlier ones are too.
    contact.seen(InetAddress.getByName("10.0.0.9"), "checkout");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> label("shop", "target"), Traceroll.AGENT_CONTACTED::equals);

    assertThat(label("shop", "starting")).isEqualTo(Traceroll.AGENT_PENDING);
    assertThat(label("shop", "host")).isEqualTo(Traceroll.AGENT_PENDING);
    assertThat(label("shop", "plain")).isNull();
    for (String name : new String[] {"starting", "host", "plain"}) {
      assertThat(get("shop", name).getMetadata().getAnnotations())
          .doesNotContainKey(Traceroll.AGENT_SEEN_ANNOTATION);
    }
  }

  @Test
  void onlyTheWatchedNamespacesPodsAreMarked() throws Exception {
    create(pod("shop", "checkout", "10.0.0.5", Traceroll.AGENT_PENDING, "Running", false));
    create(pod("other", "billing", "10.0.0.6", Traceroll.AGENT_PENDING, "Running", false));
    contact.watch(Set.of("shop"));
    await().atMost(Duration.ofSeconds(10)).until(contact::hasSynced);

    contact.seen(InetAddress.getByName("10.0.0.6"), "billing");
    contact.seen(InetAddress.getByName("10.0.0.5"), "checkout");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> label("shop", "checkout"), Traceroll.AGENT_CONTACTED::equals);
    assertThat(label("other", "billing")).isEqualTo(Traceroll.AGENT_PENDING);
  }

  private void watchAndSync() {
    contact.watch(Set.of());
    await().atMost(Duration.ofSeconds(10)).until(contact::hasSynced);
  }

  private void create(Pod pod) {
    // The CRUD server keeps status as written on create, as the kubelet would have reported it.
    client.resource(pod).create();
  }

  private Pod get(String ns, String name) {
    return client.pods().inNamespace(ns).withName(name).get();
  }

  private String label(String ns, String name) {
    return get(ns, name).getMetadata().getLabels().get(Traceroll.AGENT_LABEL);
  }

  private static Pod pod(
      String ns, String name, String ip, String agent, String phase, boolean hostNetwork) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .withLabels(
            agent == null ? Map.of("app", name) : Map.of("app", name, Traceroll.AGENT_LABEL, agent))
        .withAnnotations(Map.of(Traceroll.INJECTED_ANNOTATION, ns + ".default@1"))
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(hostNetwork)
        .addNewContainer()
        .withName("app")
        .withImage("shop:1")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withPodIP(ip)
        .endStatus()
        .build();
  }
}
