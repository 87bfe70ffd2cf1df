package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutMetricsTest {
  final PrometheusMeterRegistry registry = OperatorMetrics.create();
  final RolloutMetrics metrics = new RolloutMetrics(registry);

  @Test
  void publishesEachPolicysWorkloadsByPhaseFromItsStatus() {
    metrics.record("obs", "default", status(10, 6, 1, 1, 1, 3));
    metrics.record("obs", "other", status(2, 2, 0, 0, 0, 0));

    Scrape scrape = Scrape.of(registry.scrape());
    String policy = "policy=\"default\"";
    assertThat(workloads(scrape, policy, "pending")).isEqualTo(3);
    assertThat(workloads(scrape, policy, "restarting")).isEqualTo(1);
    assertThat(workloads(scrape, policy, "instrumented")).isEqualTo(6);
    assertThat(workloads(scrape, policy, "failed")).isEqualTo(1);
    assertThat(workloads(scrape, policy, "rolled_back")).isEqualTo(1);
    assertThat(scrape.value(RolloutMetrics.GOVERNED, policy, "policy_namespace=\"obs\""))
        .isEqualTo(10);
    assertThat(workloads(scrape, "policy=\"other\"", "instrumented")).isEqualTo(2);
  }

  @Test
  void followsTheLatestStatus() {
    metrics.record("obs", "default", status(10, 6, 1, 0, 0, 3));
    metrics.record("obs", "default", status(10, 10, 0, 0, 0, 0));

    Scrape scrape = Scrape.of(registry.scrape());
    assertThat(workloads(scrape, "policy=\"default\"", "instrumented")).isEqualTo(10);
    assertThat(workloads(scrape, "policy=\"default\"", "pending")).isZero();
  }

  @Test
  void aPolicyWithoutARolloutYetPublishesNothingAndADeletedOneLosesItsSeries() {
    metrics.record("obs", "fresh", null);
    metrics.record("obs", "default", status(1, 1, 0, 0, 0, 0));
    metrics.record("obs", "other", status(1, 1, 0, 0, 0, 0));

    metrics.remove("obs", "default");
    metrics.remove("obs", "never-seen");

    String text = registry.scrape();
    assertThat(text).doesNotContain("policy=\"default\"").doesNotContain("policy=\"fresh\"");
    assertThat(text).contains("policy=\"other\"");
    // Seen again (a policy re-created with the same name): published anew.
    metrics.record("obs", "default", status(1, 0, 0, 0, 0, 1));
    assertThat(workloads(Scrape.of(registry.scrape()), "policy=\"default\"", "pending"))
        .isEqualTo(1);
  }

  static double workloads(Scrape scrape, String policy, String phase) {
    return scrape.value(RolloutMetrics.WORKLOADS, policy, "phase=\"" + phase + "\"");
  }

  static RolloutStatus status(
      int total, int instrumented, int restarting, int failed, int rolledBack, int pending) {
    RolloutStatus status = new RolloutStatus();
    status.setTotal(total);
    status.setInstrumented(instrumented);
    status.setRestarting(restarting);
    status.setFailed(failed);
    status.setRolledBack(rolledBack);
    List<WorkloadRollout> workloads = new ArrayList<>();
    for (int i = 0; i < pending; i++) {
      WorkloadRollout w = new WorkloadRollout("Deployment", "shop", "app" + i);
      w.setPhase(WorkloadPhase.Pending);
      workloads.add(w);
    }
    WorkloadRollout restartingOne = new WorkloadRollout("Deployment", "shop", "restarting");
    restartingOne.setPhase(WorkloadPhase.Restarting);
    workloads.add(restartingOne);
    status.setWorkloads(workloads);
    return status;
  }
}
