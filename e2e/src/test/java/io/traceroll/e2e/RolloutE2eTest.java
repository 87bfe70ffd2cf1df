package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tracing rolled out to workloads that already run, on the real control plane with KWOK: batches
 * within maxConcurrent, a workload whose pods fail with the agent rolled back, an operator restart
 * mid-rollout without double restarts, and removal from an unlabelled namespace.
 */
class RolloutE2eTest extends RolloutE2eBase {
  static final int PER_NAMESPACE = 11;
  static final int MAX_CONCURRENT = 3;

  @Test
  void rollsTracingOutInGatedBatchesRollsBackAFailureAndRemovesItOnUnlabel() throws Exception {
    String policyNs = namespace("obs-ro", Map.of());
    String a = namespace("team-a", Map.of());
    String b = namespace("team-b", Map.of());
    List<String> apps = new ArrayList<>();
    for (String ns : List.of(a, b)) {
      for (int i = 0; i < PER_NAMESPACE; i++) {
        boolean broken = ns.equals(a) && i == 0;
        String name = broken ? "broken" : "app-" + i;
        cluster.client.resource(deployment(ns, name, broken)).create();
        apps.add(ns + "/" + name);
      }
    }
    awaitReady(apps);

    TracingPolicy policy = TestCluster.kwokSample("tracingpolicy-otlp.yaml", policyNs);
    policy.getSpec().getRollout().setMaxConcurrent(MAX_CONCURRENT);
    policy.getSpec().getRollout().getHealthGate().setTimeout("60s");
    cluster.client.resource(policy).create();
    for (String ns : List.of(a, b)) {
      governBy(ns, policyNs);
    }

    AtomicInteger maxRestarting = new AtomicInteger();
    boolean restartedOperator = false;
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    RolloutStatus rollout = null;
    while (System.nanoTime() < deadline) {
      rollout = rollout(policyNs);
      if (rollout != null) {
        maxRestarting.accumulateAndGet(rollout.getRestarting(), Math::max);
        if (!restartedOperator && rollout.getInstrumented() >= 6) {
          operator = operator.restart(); // a new leader mid-rollout
          restartedOperator = true;
        }
        if (rollout.getInstrumented() == 2 * PER_NAMESPACE - 1 && rollout.getRolledBack() == 1) {
          break;
        }
      }
      Thread.sleep(250);
    }
    assertThat(rollout).isNotNull();
    assertThat(rollout.getInstrumented())
        .as("instrumented, status %s", rollout.getSummary())
        .isEqualTo(2 * PER_NAMESPACE - 1);
    assertThat(rollout.getRolledBack()).isEqualTo(1);
    assertThat(maxRestarting.get()).isBetween(1, MAX_CONCURRENT);
    assertThat(restartedOperator).isTrue();
    // The operator's own writes (finalizer, status) leave the user's spec alone.
    assertThat(policy(policyNs).get().getSpec().getRollout().getMaxConcurrent())
        .isEqualTo(MAX_CONCURRENT);

    // Every healthy workload was restarted exactly once (one new ReplicaSet), the broken one
    // twice (with the agent, then back without it).
    for (String app : apps) {
      String[] ref = app.split("/");
      int replicaSets =
          cluster
              .client
              .apps()
              .replicaSets()
              .inNamespace(ref[0])
              .withLabel("app", ref[1])
              .list()
              .getItems()
              .size();
      assertThat(replicaSets).as(app).isEqualTo(ref[1].equals("broken") ? 3 : 2);
    }
    assertThat(podsOf(a, "app-1"))
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getAnnotations())
                    .containsKey(Traceroll.INJECTED_ANNOTATION));
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(podsOf(a, "broken"))
                    .allSatisfy(
                        p ->
                            assertThat(p.getMetadata().getAnnotations())
                                .doesNotContainKey(Traceroll.INJECTED_ANNOTATION)));
    Deployment broken = cluster.client.apps().deployments().inNamespace(a).withName("broken").get();
    assertThat(broken.getSpec().getTemplate().getMetadata().getAnnotations())
        .as("the rollback writes only the restart annotations into the workload")
        .doesNotContainKey(Traceroll.INJECT_ANNOTATION)
        .containsEntry(Traceroll.RESTARTED_FOR_ANNOTATION, Traceroll.RESTARTED_FOR_REMOVAL);
    assertThat(policy(policyNs).get().getStatus().getRollout().getWorkloads())
        .filteredOn(w -> w.getName().equals("broken"))
        .singleElement()
        .satisfies(w -> assertThat(w.getSelector().getMatchLabels()).isNotEmpty());
    assertThat(cluster.client.v1().events().inNamespace(policyNs).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RolledBack"));

    // Unlabelling a namespace takes the agent back out of its workloads.
    label(b, Map.of());
    await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> assertAgentGone(b, 0));

    // Deleting the policy takes it out of the rest, then the policy goes.
    policy(policyNs).delete();
    await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> assertAgentGone(a, 1));
    await().atMost(TestCluster.timeout()).until(() -> policy(policyNs).get() == null);
  }

  /** Apps from index {@code first} on run without the agent. */
  static void assertAgentGone(String ns, int first) {
    for (int i = first; i < PER_NAMESPACE; i++) {
      assertThat(podsOf(ns, "app-" + i))
          .isNotEmpty()
          .allSatisfy(
              p ->
                  assertThat(p.getMetadata().getAnnotations())
                      .doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    }
  }
}
