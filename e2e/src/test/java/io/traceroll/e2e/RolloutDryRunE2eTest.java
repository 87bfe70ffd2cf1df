package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rollout that only plans (dry run), then is held (paused), then resumed. */
class RolloutDryRunE2eTest extends RolloutE2eBase {

  @Test
  void dryRunPlansPauseHoldsAndResumeFinishes() throws Exception {
    String policyNs = namespace("obs-dry", Map.of());
    String ns = namespace("team-dry", Map.of());
    List<String> apps = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      cluster.client.resource(deployment(ns, "svc-" + i, false)).create();
      apps.add(ns + "/svc-" + i);
    }
    awaitReady(apps);
    TracingPolicy policy = TestCluster.kwokSample("tracingpolicy-otlp.yaml", policyNs);
    policy.getSpec().getRollout().setDryRun(true);
    cluster.client.resource(policy).create();
    governBy(ns, policyNs);

    await()
        .atMost(TestCluster.timeout())
        .until(() -> rollout(policyNs) != null && rollout(policyNs).getPlan().size() == 4);
    assertThat(rollout(policyNs).getPlan())
        .allSatisfy(p -> assertThat(p).startsWith("Deployment/" + ns + "/svc-"));

    patchRollout(policyNs, "{\"dryRun\":false,\"paused\":true}");
    Thread.sleep(6000); // three rollout steps
    assertThat(replicaSets(ns)).as("nothing restarted while dry-running or paused").isEqualTo(4);
    assertThat(rollout(policyNs).getPlan()).isEmpty();

    patchRollout(policyNs, "{\"paused\":false}");
    await().atMost(TestCluster.timeout()).until(() -> rollout(policyNs).getInstrumented() == 4);
    assertThat(replicaSets(ns)).isEqualTo(8);

    // Gone, with its namespace unlabelled, before any later test's namespaces could fall to it.
    policy(policyNs).delete();
    label(ns, Map.of());
    await().atMost(Duration.ofMinutes(2)).until(() -> policy(policyNs).get() == null);
  }
}
