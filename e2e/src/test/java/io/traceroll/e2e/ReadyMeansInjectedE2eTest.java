package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a new user does: label a namespace, apply a policy, wait for {@code Ready}, then apply
 * several pods at once. Ready must mean the API server already calls the webhook for that
 * namespace, so every one of those pods is created with the agent; a Ready set while the API server
 * still runs on the webhook configuration it had before the policy's entry leaves some of them
 * without it (they would run uninstrumented until a rollout restarts them).
 */
class ReadyMeansInjectedE2eTest extends OperatorE2eBase {
  private static final int TRIALS = Integer.getInteger("traceroll.readyTrials", 100);
  private static final int AT_ONCE = 10;
  private static final int PODS = 8;

  @Test
  void everyPodAppliedOnceThePolicyIsReadyGetsTheAgent() throws Exception {
    String policyNs = namespace("obs-ready", Map.of());
    ConcurrentLinkedQueue<String> misses = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> readyMillis = new ConcurrentLinkedQueue<>();
    ExecutorService trials = Executors.newFixedThreadPool(AT_ONCE);
    ExecutorService creators = Executors.newFixedThreadPool(AT_ONCE * PODS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < TRIALS; i++) {
        int trial = i;
        running.add(trials.submit(() -> trial(policyNs, trial, creators, misses, readyMillis)));
      }
      for (Future<?> trial : running) {
        trial.get(5, TimeUnit.MINUTES);
      }
    } finally {
      trials.shutdownNow();
      creators.shutdownNow();
    }
    List<Long> sorted = readyMillis.stream().sorted().toList();
    System.out.printf(
        "%d trials: Ready %d ms after the policy was created at the median, %d ms at most%n",
        sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    assertThat(misses).as("pods created without the agent after Ready").isEmpty();
  }

  private static Void trial(
      String policyNs,
      int trial,
      ExecutorService creators,
      ConcurrentLinkedQueue<String> misses,
      ConcurrentLinkedQueue<Long> readyMillis)
      throws Exception {
    String name = "trial-" + trial;
    String ns =
        namespace(
            "ready-" + trial,
            Map.of(
                Traceroll.INJECT_LABEL,
                Traceroll.INJECT_ENABLED,
                "e2e.traceroll.io/trial",
                name,
                Traceroll.POLICY_LABEL,
                policyNs + "." + name));
    // A namespace that has been there a while: its default ServiceAccount exists.
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                cluster.client.serviceAccounts().inNamespace(ns).withName("default").get() != null);
    TracingPolicy policy = TestCluster.sample("tracingpolicy-otlp.yaml", policyNs);
    policy.getMetadata().setName(name);
    // Only this trial's namespace, so no other trial's webhook entry answers for it.
    policy
        .getSpec()
        .getSelector()
        .setNamespaceSelector(
            new LabelSelectorBuilder().addToMatchLabels("e2e.traceroll.io/trial", name).build());
    long applied = System.nanoTime();
    cluster.client.resource(policy).create();
    awaitReady(policyNs, name);
    readyMillis.add((System.nanoTime() - applied) / 1_000_000);

    List<Future<Pod>> created = new ArrayList<>();
    for (int p = 0; p < PODS; p++) {
      Pod pod = WebhookE2eTest.bareJvmPod(ns, "app-" + p);
      created.add(creators.submit(() -> cluster.client.resource(pod).create()));
    }
    for (Future<Pod> pod : created) {
      Pod got = pod.get(30, TimeUnit.SECONDS);
      Map<String, String> annotations = got.getMetadata().getAnnotations();
      String injected = annotations == null ? null : annotations.get(Traceroll.INJECTED_ANNOTATION);
      if (injected == null || !injected.startsWith(policyNs + "." + name + "@")) {
        misses.add(ns + "/" + got.getMetadata().getName());
      }
    }
    cluster.client.resource(policy).delete();
    return null;
  }

  /** As {@code kubectl wait --for=condition=Ready} does: returns as soon as the status says so. */
  private static void awaitReady(String ns, String name) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.timeout().toNanos();
    while (System.nanoTime() < deadline) {
      TracingPolicy live =
          cluster.client.resources(TracingPolicy.class).inNamespace(ns).withName(name).get();
      if (live != null
          && live.getStatus() != null
          && live.getStatus().getConditions() != null
          && live.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("policy " + ns + "/" + name + " not Ready in time");
  }
}
