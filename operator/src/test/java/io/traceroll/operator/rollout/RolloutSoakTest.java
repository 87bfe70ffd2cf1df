package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.PodView;
import io.traceroll.policy.RolledBackWorkloads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An accelerated soak: hours of rollout steps over every kind of workload the rollout meets (JVMs
 * that pass, crash only with the agent, never get ready, come up without the agent or with a silent
 * one; databases, containers with a tracer of their own, opted-out, paused and already-instrumented
 * workloads), with pods evicted and replaced and workloads paused and unpaused along the way. No
 * workload is restarted twice for the same injection, none the decision skips is restarted at all,
 * and the healthy ones end instrumented.
 */
class RolloutSoakTest {
  static final long SEED = 1207L;
  static final int STEPS = 2_000;

  final FakeCluster cluster = new FakeCluster();
  final RolloutExecutor executor = new RolloutExecutor(cluster);
  final Rollout spec = new Rollout();
  final Random random = new Random(SEED);
  Instant now = Instant.parse("2026-12-07T00:00:00Z");
  RolloutStatus status;

  @Test
  void noWorkloadIsRestartedTwiceForOneInjectionAndNoSkippedOneAtAll() {
    spec.setMaxConcurrent(3);
    spec.getHealthGate().setTimeout("2m");
    List<String> healthy = new ArrayList<>();
    // Enough healthy workloads that the four failures stay under the Degraded share (a fifth).
    for (int i = 0; i < 20; i++) {
      healthy.add(cluster.add("shop", "jvm-" + i, FakeCluster.Outcome.HEALTHY, false).key());
    }
    cluster.add("shop", "crashes-with-agent", FakeCluster.Outcome.CRASHLOOP_WITH_AGENT, false);
    cluster.add("shop", "never-ready", FakeCluster.Outcome.STUCK, false);
    cluster.add("shop", "webhook-failed-open", FakeCluster.Outcome.ADMITTED_WITHOUT_AGENT, false);
    cluster.add("shop", "silent", FakeCluster.Outcome.SILENT, false);
    healthy.add(cluster.add("shop", "already", FakeCluster.Outcome.HEALTHY, true).key());
    // Images nothing in their spec names: they wait for the probe, whose verdicts come a third of
    // the way in: a JVM in one (restarted once then), none in the other (never restarted).
    healthy.add(
        cluster
            .addWithContainers(
                "shop", "probed-jvm", new PodView.ContainerView("app", "registry.example/cart:1"))
            .key());
    List<String> skipped =
        List.of(
            cluster
                .addWithContainers(
                    "shop",
                    "probed-other",
                    new PodView.ContainerView("app", "registry.example/web:1"))
                .key(),
            cluster
                .addWithContainers("shop", "db", new PodView.ContainerView("pg", "postgres:16"))
                .key(),
            cluster.addWithContainers("shop", "traced", FakeCluster.ownTracer()).key(),
            cluster.addTemplated(Map.of(Traceroll.INJECT_ANNOTATION, "false"), Map.of()).key());
    List<String> keys = new ArrayList<>(cluster.workloads.keySet());
    Map<String, Integer> events = new TreeMap<>();
    int added = 0;

    for (int i = 0; i < STEPS; i++) {
      now = now.plusSeconds(1 + random.nextInt(20));
      int event = random.nextInt(100);
      String key = keys.get(random.nextInt(keys.size()));
      if (event < 4) {
        evict(key);
        events.merge("evicted and replaced", 1, Integer::sum);
      } else if (event < 6) {
        pause(key, !blocked(key));
        events.merge("paused or unpaused", 1, Integer::sum);
      } else if (event < 7 && added < 10) {
        // A workload deployed while the rollout runs: admitted by the webhook, no restart needed
        // (even) or running from before the namespace was governed (odd): restarted once.
        String name = "late-" + added;
        keys.add(cluster.add("shop", name, FakeCluster.Outcome.HEALTHY, added % 2 == 0).key());
        healthy.add("Deployment/shop/" + name);
        added++;
        events.merge("deployed", 1, Integer::sum);
      }
      if (i == STEPS / 3) {
        cluster.images =
            ImageVerdicts.of(
                Map.of(
                    "a", RolloutExecutorTest.verdict("registry.example/cart:1", Verdict.JVM),
                    "b", RolloutExecutorTest.verdict("registry.example/web:1", Verdict.NOT_JVM)));
        events.merge("images probed", 1, Integer::sum);
      }
      step();
    }
    for (String key : keys) {
      pause(key, false);
    }
    for (int i = 0; i < 50; i++) {
      now = now.plusSeconds(10);
      step();
    }

    Map<String, Long> perTarget =
        cluster.restartTargets.stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    System.out.printf(
        "soak: %d steps, events %s, restarts %s%n", STEPS, events, new TreeMap<>(perTarget));
    assertThat(perTarget)
        .as("restarts per workload and target")
        .allSatisfy((target, count) -> assertThat(count).as(target).isEqualTo(1L));
    assertThat(cluster.restarts)
        .as("skipped workloads are never restarted")
        .doesNotContainAnyElementsOf(skipped);
    Map<String, WorkloadPhase> phases = new HashMap<>();
    status.getWorkloads().forEach(w -> phases.put(w.key(), w.getPhase()));
    for (String key : healthy) {
      assertThat(cluster.pods.get(key))
          .as(key + " ends with the agent")
          .allSatisfy(
              p -> assertThat(p.annotations()).containsKey(Traceroll.INJECTION_HASH_ANNOTATION));
    }
    assertThat(status.getFailed() + status.getRolledBack()).isEqualTo(4);
    assertThat(phases)
        .containsEntry("Deployment/shop/crashes-with-agent", WorkloadPhase.RolledBack)
        .containsEntry("Deployment/shop/silent", WorkloadPhase.RolledBack)
        .containsEntry("Deployment/shop/webhook-failed-open", WorkloadPhase.Failed);
  }

  private void step() {
    cluster.settings =
        cluster.settings.withRolledBack(RolledBackWorkloads.of(status, cluster.currentHash));
    status =
        executor
            .step(
                new StepContext(
                    cluster.policyId,
                    spec,
                    cluster.settings,
                    Set.of("shop"),
                    now,
                    null,
                    cluster.images),
                status)
            .status();
    cluster.settle();
  }

  /**
   * The pod is evicted and its controller makes a new one from the current template, admitted by
   * the webhook as the decision says: with the agent when the template is injected.
   */
  private void evict(String key) {
    Workload w = cluster.workloads.get(key);
    List<PodFacts> before = cluster.pods.get(key);
    String revision = w.restartedAt();
    String hash =
        cluster.settings != null
                && io.traceroll.policy.InjectionDecision.of(
                        cluster.settings, w.template(), w.namespace(), cluster.images)
                    .injects()
                && !Traceroll.RESTARTED_FOR_REMOVAL.equals(w.restartedFor())
                && before.stream()
                    .anyMatch(p -> p.annotations().containsKey(Traceroll.INJECTION_HASH_ANNOTATION))
            ? cluster.currentHash
            : null;
    boolean ready = before.stream().allMatch(PodFacts::ready);
    cluster.pods.put(key, List.of(cluster.pod(w.name(), hash, revision, ready, null)));
  }

  private boolean blocked(String key) {
    return cluster.workloads.get(key).rollBlocker() != null;
  }

  private void pause(String key, boolean paused) {
    cluster.workloads.put(
        key,
        FakeCluster.blocked(
            cluster.workloads.get(key), paused ? "the Deployment is paused" : null));
  }
}
