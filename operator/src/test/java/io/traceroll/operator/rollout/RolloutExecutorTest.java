package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.SkippedWorkload;
import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import io.traceroll.policy.PodView;
import io.traceroll.policy.RolledBackWorkloads;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RolloutExecutorTest {
  final FakeCluster cluster = new FakeCluster();
  final RolloutExecutor executor = new RolloutExecutor(cluster);
  final Rollout spec = new Rollout();
  Instant now = Instant.parse("2026-11-24T10:00:00Z");
  RolloutStatus status;

  String retry;

  /**
   * One step, as the reconciler makes it: the settings carry the rolled-back workloads of the
   * status so far, which the webhook (the fake cluster's admission) reads too.
   */
  RolloutOutcome step(Set<String> governed) {
    cluster.settings =
        cluster.settings.withRolledBack(RolledBackWorkloads.of(status, cluster.currentHash));
    RolloutOutcome outcome =
        executor.step(
            new StepContext(
                cluster.policyId, spec, cluster.settings, governed, now, retry, cluster.images),
            status);
    status = outcome.status();
    now = now.plusSeconds(1);
    cluster.settle();
    return outcome;
  }

  Map<String, WorkloadPhase> phases() {
    return status.getWorkloads().stream()
        .collect(Collectors.toMap(WorkloadRollout::getName, WorkloadRollout::getPhase));
  }

  @Test
  void restartsInBatchesOfMaxConcurrentUntilAllAreInstrumented() {
    spec.setMaxConcurrent(2);
    for (int i = 0; i < 5; i++) {
      cluster.add("shop", "app" + i, FakeCluster.Outcome.HEALTHY, false);
    }
    cluster.add("shop", "already", FakeCluster.Outcome.HEALTHY, true);

    int maxRestarting = 0;
    for (int i = 0; i < 10 && (status == null || status.getInstrumented() < 6); i++) {
      step(Set.of("shop"));
      maxRestarting = Math.max(maxRestarting, status.getRestarting());
    }

    assertThat(maxRestarting).isEqualTo(2);
    assertThat(status.getSummary()).isEqualTo("6/6");
    assertThat(cluster.restarts)
        .hasSize(5)
        .doesNotHaveDuplicates()
        .doesNotContain("Deployment/shop/already");
  }

  @Test
  void aWorkloadOfAnUnknownImageWaitsForTheProbeAndIsRestartedOnlyIfItFindsAJvm() {
    String unknown = "registry.example/checkout:1.4.2";
    String other = "registry.example/web:2";
    cluster.addWithContainers("shop", "checkout", new PodView.ContainerView("app", unknown));
    cluster.addWithContainers("shop", "web", new PodView.ContainerView("app", other));

    step(Set.of("shop"));
    step(Set.of("shop"));

    assertThat(cluster.restarts).isEmpty();
    assertThat(cluster.probeRequests)
        .containsOnly("Deployment/shop/checkout " + unknown, "Deployment/shop/web " + other);
    assertThat(status.getSkipped())
        .extracting(SkippedWorkload::getName, SkippedWorkload::getReason)
        .containsExactly(tuple("checkout", "IMAGE_UNKNOWN"), tuple("web", "IMAGE_UNKNOWN"));

    // The probe finds a JVM in one image and none in the other.
    cluster.images =
        io.traceroll.policy.ImageVerdicts.of(
            Map.of(
                "a", verdict(unknown, io.traceroll.policy.JvmDetection.Verdict.JVM),
                "b", verdict(other, io.traceroll.policy.JvmDetection.Verdict.NOT_JVM)));
    cluster.probeRequests.clear();
    for (int i = 0; i < 4; i++) {
      step(Set.of("shop"));
    }

    assertThat(cluster.restarts).containsExactly("Deployment/shop/checkout");
    assertThat(cluster.probeRequests).isEmpty();
    assertThat(status.getWorkloads())
        .extracting(WorkloadRollout::getName, WorkloadRollout::getDetection)
        .containsExactly(tuple("checkout", "app (JVM: image probe: seen)"));
    assertThat(status.getSkipped())
        .extracting(SkippedWorkload::getName, SkippedWorkload::getReason)
        .containsExactly(tuple("web", "NO_JVM"));
  }

  static String verdict(String image, io.traceroll.policy.JvmDetection.Verdict verdict) {
    return io.traceroll.policy.ImageVerdicts.value(
        new io.traceroll.policy.ImageVerdicts.Entry(
            image, verdict, "seen", null, "2026-12-07T10:00:00Z"));
  }

  @Test
  void restartsNothingAdmissionWouldNotGiveTheAgentAndSaysWhyInItsSlot() {
    spec.setMaxConcurrent(2);
    Workload blocked = cluster.add("shop", "a-blocked", FakeCluster.Outcome.HEALTHY, false);
    cluster.add("shop", "b", FakeCluster.Outcome.HEALTHY, false);
    cluster.add("shop", "c", FakeCluster.Outcome.HEALTHY, false);
    cluster.admissionProblems.put(blocked.key(), "the webhook is not reachable");

    step(Set.of("shop"));

    assertThat(cluster.restarts).containsExactly("Deployment/shop/b");
    WorkloadRollout entry =
        status.getWorkloads().stream()
            .filter(w -> w.getName().equals("a-blocked"))
            .findFirst()
            .orElseThrow();
    assertThat(entry.getPhase()).isEqualTo(WorkloadPhase.Pending);
    assertThat(entry.getMessage()).isEqualTo("the webhook is not reachable");

    // Once admission would inject, the next step restarts it.
    cluster.admissionProblems.clear();
    cluster.settle();
    step(Set.of("shop"));
    assertThat(cluster.restarts).contains("Deployment/shop/a-blocked");
  }

  @Test
  void aWorkloadATemplatePatchCannotRollWaitsForItsNextRestartWithoutCountingAsAFailure() {
    Workload paused = cluster.add("shop", "paused", FakeCluster.Outcome.HEALTHY, false);
    cluster.workloads.put(paused.key(), FakeCluster.blocked(paused, "the Deployment is paused"));

    RolloutOutcome outcome = null;
    for (int i = 0; i < 3; i++) {
      outcome = step(Set.of("shop"));
    }

    assertThat(cluster.restarts).isEmpty();
    assertThat(phases()).containsEntry("paused", WorkloadPhase.Waiting);
    assertThat(status.getWorkloads().get(0).getMessage())
        .isEqualTo("waits for its next restart: the Deployment is paused");
    assertThat(outcome.active()).as("nothing for the rollout to wait on").isFalse();
    assertThat(outcome.degraded()).isFalse();
    assertThat(status.getSummary()).isEqualTo("0/1");

    // Unpaused: a template patch rolls it again, and the rollout does.
    cluster.workloads.put(paused.key(), paused);
    step(Set.of("shop"));
    assertThat(cluster.restarts).containsExactly("Deployment/shop/paused");
  }

  @Test
  void aRemovalIsDoneOnceThePolicysAgentIsOutWhoeverRolledTheLastPods() {
    Workload w = cluster.add("shop", "app", FakeCluster.Outcome.HEALTHY, true);
    step(Set.of()); // no longer governed: restart to take the agent out
    assertThat(cluster.restarts).containsExactly("Deployment/shop/app");
    assertThat(phases()).containsEntry("app", WorkloadPhase.Restarting);

    // Another policy took the namespace over and restarted it again under its own revision.
    cluster.pods.put(
        w.key(), List.of(cluster.pod("app", "other-hash", "other-revision", true, null)));
    cluster
        .pods
        .get(w.key())
        .get(0)
        .annotations()
        .put(Traceroll.INJECTED_ANNOTATION, "obs.other@1");
    step(Set.of());

    assertThat(phases()).containsEntry("app", WorkloadPhase.Instrumented);
    assertThat(cluster.restarts).hasSize(1);
  }

  @Test
  void anInjectedButSilentWorkloadWaitsForItsAgentsThenIsRolledBack() {
    spec.getHealthGate().setTimeout("60s");
    cluster.add("shop", "quiet", FakeCluster.Outcome.SILENT, false);
    cluster.add("shop", "talks", FakeCluster.Outcome.HEALTHY, false);

    step(Set.of("shop"));
    cluster.settle();
    step(Set.of("shop"));
    assertThat(phases())
        .containsEntry("quiet", WorkloadPhase.Restarting)
        .containsEntry("talks", WorkloadPhase.Instrumented);
    assertThat(message("quiet")).isEqualTo("waiting for 1 of 1 agents to contact the operator");
    assertThat(status.getVerifiedAgents()).isEqualTo("1/2");

    now = now.plus(Duration.ofSeconds(61));
    RolloutOutcome outcome = step(Set.of("shop"));

    assertThat(phases()).containsEntry("quiet", WorkloadPhase.RolledBack);
    assertThat(message("quiet")).contains("injected but silent: 1 of 1 new pods' agents");
    assertThat(outcome.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("RolledBack"));
  }

  @Test
  void withoutAgentContactReadyInjectedPodsPass() {
    spec.getHealthGate().setAgentContact(false);
    cluster.add("shop", "quiet", FakeCluster.Outcome.SILENT, false);
    step(Set.of("shop"));
    cluster.settle();
    step(Set.of("shop"));
    assertThat(phases()).containsEntry("quiet", WorkloadPhase.Instrumented);
  }

  @Test
  void podsOnAnOlderBundledAgentAreCountedNotRestarted() {
    cluster.add("shop", "old", FakeCluster.Outcome.HEALTHY, true);
    cluster.add("shop", "new", FakeCluster.Outcome.HEALTHY, true);
    // Injected by the previous operator release: same injection hash, older agent.
    cluster
        .pods
        .get("Deployment/shop/old")
        .get(0)
        .annotations()
        .put(Traceroll.AGENT_VERSION_ANNOTATION, "2.32.0");

    step(Set.of("shop"));
    step(Set.of("shop"));

    assertThat(cluster.restarts).isEmpty();
    assertThat(status.getSummary()).isEqualTo("2/2");
    assertThat(status.getOutdatedAgents()).isEqualTo(1);
  }

  @Test
  void statusSaysWhatWasDetectedInEachWorkloadAndWhyOthersAreLeftAlone() {
    cluster.addWithContainers(
        "shop",
        "checkout",
        new PodView.ContainerView(
            "app", "shop/checkout:1", List.of("java", "-jar", "app.jar"), Map.of()),
        new PodView.ContainerView("cache", "redis:7"));
    cluster.addWithContainers("shop", "db", new PodView.ContainerView("postgres", "postgres:16"));
    cluster.addWithContainers("shop", "traced", FakeCluster.ownTracer());

    step(Set.of("shop"));

    assertThat(status.getWorkloads())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.getName()).isEqualTo("checkout");
              assertThat(w.getDetection()).isEqualTo("app (JVM: command: java)");
            });
    assertThat(status.getSkippedTotal()).isEqualTo(2);
    assertThat(status.getSkipped())
        .extracting(SkippedWorkload::getName, SkippedWorkload::getReason)
        .containsExactly(tuple("db", "NO_JVM"), tuple("traced", "AGENT_PRESENT"));
    assertThat(status.getSkipped().get(0).getMessage())
        .isEqualTo("no container runs a JVM: postgres (image postgres (postgres))");
    assertThat(cluster.restarts).containsExactly("Deployment/shop/checkout");
  }

  private String message(String name) {
    return status.getWorkloads().stream()
        .filter(w -> w.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getMessage();
  }

  @Test
  void newPodsWithoutTheAgentFailTheWorkloadOnceAndAreNeverRestartedAgain() {
    cluster.add("shop", "open", FakeCluster.Outcome.ADMITTED_WITHOUT_AGENT, false);

    RolloutOutcome failed = null;
    for (int i = 0; i < 6; i++) {
      RolloutOutcome outcome = step(Set.of("shop"));
      if (failed == null && phases().get("open") == WorkloadPhase.Failed) {
        failed = outcome;
      }
    }

    assertThat(cluster.restarts).containsExactly("Deployment/shop/open");
    assertThat(phases()).containsEntry("open", WorkloadPhase.Failed);
    assertThat(failed).isNotNull();
    assertThat(failed.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo("NotInjected"));
    assertThat(status.getWorkloads().get(0).getMessage()).contains("without the agent");
  }

  @Test
  void rollsBackAFailingWorkloadAndFinishesTheOthers() {
    spec.setMaxConcurrent(3);
    cluster.add("shop", "good1", FakeCluster.Outcome.HEALTHY, false);
    cluster.add("shop", "bad", FakeCluster.Outcome.CRASHLOOP_WITH_AGENT, false);
    cluster.add("shop", "good2", FakeCluster.Outcome.HEALTHY, false);

    RolloutOutcome last = null;
    for (int i = 0; i < 6; i++) {
      last = step(Set.of("shop"));
    }

    assertThat(phases())
        .containsEntry("good1", WorkloadPhase.Instrumented)
        .containsEntry("good2", WorkloadPhase.Instrumented)
        .containsEntry("bad", WorkloadPhase.RolledBack);
    Workload bad = cluster.workloads.get("Deployment/shop/bad");
    assertThat(bad.template().annotations())
        .as("the rollback leaves only the restart annotations on the workload")
        .doesNotContainKey("traceroll.io/inject")
        .containsEntry(Traceroll.RESTARTED_FOR_ANNOTATION, Traceroll.RESTARTED_FOR_REMOVAL);
    assertThat(cluster.pods.get("Deployment/shop/bad"))
        .allSatisfy(
            p -> assertThat(p.annotations()).doesNotContainKey(Traceroll.INJECTED_ANNOTATION));
    WorkloadRollout entry =
        status.getWorkloads().stream()
            .filter(w -> w.getName().equals("bad"))
            .findFirst()
            .orElseThrow();
    assertThat(entry.getAction()).isEqualTo(WorkloadAction.Remove);
    assertThat(entry.getSelector().getMatchLabels()).containsEntry("app", "bad");
    assertThat(
            status.getWorkloads().stream()
                .filter(w -> w.getName().equals("bad"))
                .findFirst()
                .orElseThrow()
                .getMessage())
        .contains("CrashLoopBackOff");
    assertThat(last.degraded()).isFalse();
    assertThat(cluster.restarts).filteredOn("Deployment/shop/bad"::equals).hasSize(2);
  }

  @Test
  void aRolledBackWorkloadIsLeftAloneUntilARetryThenInstrumentedOnce() {
    cluster.add("shop", "bad", FakeCluster.Outcome.CRASHLOOP_WITH_AGENT, false);
    for (int i = 0; i < 4; i++) {
      step(Set.of("shop"));
    }
    assertThat(phases()).containsEntry("bad", WorkloadPhase.RolledBack);
    assertThat(cluster.restarts).hasSize(2);
    for (int i = 0; i < 4; i++) {
      step(Set.of("shop"));
    }
    assertThat(cluster.restarts).as("nothing more while the injection is the same").hasSize(2);

    // The user fixed the workload and asks for a retry.
    cluster.outcomes.put("Deployment/shop/bad", FakeCluster.Outcome.HEALTHY);
    retry = "1";
    for (int i = 0; i < 4; i++) {
      step(Set.of("shop"));
    }

    assertThat(phases()).containsEntry("bad", WorkloadPhase.Instrumented);
    assertThat(status.getRetry()).isEqualTo("1");
    assertThat(cluster.restarts).hasSize(3);
    assertThat(cluster.pods.get("Deployment/shop/bad"))
        .allSatisfy(p -> assertThat(p.annotations()).containsKey(Traceroll.INJECTED_ANNOTATION));
  }

  @Test
  void theRestartWithoutTheAgentWaitsUntilAdmissionLeavesTheNewPodsAlone() {
    cluster.add("shop", "bad", FakeCluster.Outcome.CRASHLOOP_WITH_AGENT, false);
    for (int i = 0;
        i < 3 && (status == null || !WorkloadPhase.RolledBack.equals(phases().get("bad")));
        i++) {
      step(Set.of("shop"));
    }
    assertThat(cluster.restarts).as("only the instrumenting restart so far").hasSize(1);
    // The status with the rollback is what tells the webhook; a step that does not pass it on
    // (a webhook whose cache lags) restarts nothing.
    RolloutStatus rolledBack = status;
    status = null;
    cluster.settings = TestPolicies.settings();
    executor.step(
        new StepContext(cluster.policyId, spec, cluster.settings, Set.of("shop"), now), rolledBack);
    assertThat(cluster.restarts).hasSize(1);

    status = rolledBack;
    step(Set.of("shop"));
    assertThat(cluster.restarts).hasSize(2);
  }

  @Test
  void stopsWhenTooManyFailAndReportsDegraded() {
    spec.setMaxConcurrent(3);
    for (String name : new String[] {"bad1", "bad2", "bad3"}) {
      cluster.add("shop", name, FakeCluster.Outcome.CRASHLOOP_WITH_AGENT, false);
    }
    for (int i = 0; i < 4; i++) {
      cluster.add("shop", "later" + i, FakeCluster.Outcome.HEALTHY, false);
    }
    RolloutOutcome last = null;
    for (int i = 0; i < 5; i++) {
      last = step(Set.of("shop"));
    }
    assertThat(last.degraded()).isTrue();
    assertThat(phases().values()).filteredOn(p -> p == WorkloadPhase.Pending).isNotEmpty();
  }

  @Test
  void aWorkloadThatNeverBecomesReadyFailsAtTheTimeout() {
    spec.setAutoRollback(false);
    spec.getHealthGate().setTimeout("5s");
    cluster.add("shop", "slow", FakeCluster.Outcome.STUCK, false);
    step(Set.of("shop"));
    step(Set.of("shop"));
    assertThat(phases()).containsEntry("slow", WorkloadPhase.Restarting);
    now = now.plus(Duration.ofSeconds(10));
    RolloutOutcome outcome = step(Set.of("shop"));
    assertThat(phases()).containsEntry("slow", WorkloadPhase.Failed);
    assertThat(outcome.events())
        .anySatisfy(e -> assertThat(e.reason()).isEqualTo("HealthGateFailed"));
  }

  @Test
  void pausedAndDryRunAndOnNextRestartRestartNothing() {
    cluster.add("shop", "a", FakeCluster.Outcome.HEALTHY, false);
    cluster.add("shop", "b", FakeCluster.Outcome.HEALTHY, false);

    spec.setDryRun(true);
    step(Set.of("shop"));
    assertThat(status.getPlan()).containsExactly("Deployment/shop/a", "Deployment/shop/b");
    spec.setDryRun(false);
    spec.setPaused(true);
    step(Set.of("shop"));
    spec.setPaused(false);
    spec.setStrategy(RolloutStrategy.OnNextRestart);
    step(Set.of("shop"));

    assertThat(cluster.restarts).isEmpty();
    assertThat(phases().values()).containsOnly(WorkloadPhase.Pending);

    spec.setStrategy(RolloutStrategy.Immediate);
    step(Set.of("shop"));
    assertThat(cluster.restarts).hasSize(2);
  }

  @Test
  void resumesAfterLosingItsStatusWithoutRestartingTwice() {
    spec.setMaxConcurrent(1);
    cluster.add("shop", "a", FakeCluster.Outcome.STUCK, false);
    step(Set.of("shop"));
    assertThat(cluster.restarts).containsExactly("Deployment/shop/a");

    status = null; // a new leader with a stale or empty status
    step(Set.of("shop"));
    step(Set.of("shop"));

    assertThat(cluster.restarts).containsExactly("Deployment/shop/a");
    assertThat(phases()).containsEntry("a", WorkloadPhase.Restarting);
  }

  @Test
  void aRestartMissingFromAStaleStatusIsNotRepeated() {
    spec.setMaxConcurrent(1);
    cluster.add("shop", "a", FakeCluster.Outcome.STUCK, false);
    step(Set.of("shop"));
    RolloutStatus stale = status;
    step(Set.of("shop"));
    stale.getWorkloads().forEach(w -> w.setPhase(WorkloadPhase.Pending));
    status = stale; // the leader stopped between restarting and writing status

    step(Set.of("shop"));

    assertThat(cluster.restarts).containsExactly("Deployment/shop/a");
    assertThat(phases()).containsEntry("a", WorkloadPhase.Restarting);
  }

  @Test
  void removesTheAgentFromANamespaceNoLongerGoverned() {
    cluster.add("shop", "a", FakeCluster.Outcome.HEALTHY, true);
    step(Set.of()); // shop was unlabelled
    step(Set.of());
    step(Set.of());

    assertThat(cluster.restarts).containsExactly("Deployment/shop/a");
    assertThat(cluster.workloads.get("Deployment/shop/a").restartedFor())
        .isEqualTo(Traceroll.RESTARTED_FOR_REMOVAL);
    assertThat(cluster.pods.get("Deployment/shop/a").get(0).annotations())
        .doesNotContainKey("traceroll.io/injected");
    assertThat(phases()).containsEntry("a", WorkloadPhase.Instrumented);
  }

  @Test
  void workloadsTheInjectionDecisionSkipsAreNeitherRestartedNorCounted() {
    cluster.add("shop", "app", FakeCluster.Outcome.HEALTHY, false);
    cluster.addTemplated(Map.of("traceroll.io/container-names", "worker"), Map.of());
    cluster.addTemplated(Map.of(), Map.of("traceroll.io/inject", "false"));

    for (int i = 0; i < 4; i++) {
      step(Set.of("shop"));
    }

    assertThat(cluster.restarts).containsExactly("Deployment/shop/app");
    assertThat(status.getSummary()).isEqualTo("1/1");
    assertThat(status.getWorkloads()).extracting(WorkloadRollout::getName).containsExactly("app");
  }
}
