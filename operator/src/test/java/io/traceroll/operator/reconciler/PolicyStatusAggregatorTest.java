package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.traceroll.api.v1alpha1.BackendStatus;
import io.traceroll.api.v1alpha1.NamespaceConflict;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import io.traceroll.operator.rollout.RolloutOutcome;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyStatusAggregatorTest {
  static final BackendReadiness.Result READY =
      new BackendReadiness.Result(true, PolicyConditions.REASON_TEMPO_READY, "Tempo is ready");
  static final BackendReadiness.Result STARTING =
      new BackendReadiness.Result(
          false, PolicyConditions.REASON_TEMPO_STARTING, "waiting for a ready Tempo pod");
  static final BackendStatus ENDPOINT = new BackendStatus("tempo", "http://t:4317", "t-sampling");

  static final WebhookServing.Verdict PENDING =
      new WebhookServing.Verdict(
          false, "NotServing", "the API server does not call it yet", Duration.ofMillis(700));
  final TracingPolicy policy = TestPolicies.policy("obs", "default");

  PolicyStatusAggregator reconciling() {
    return PolicyStatusAggregator.reconciling(policy).governance(List.of("shop"), List.of());
  }

  /** A reconcile that got as far as a rollout step with this outcome. */
  PolicyStatusAggregator steppedTo(RolloutOutcome outcome) {
    return reconciling()
        .backend(READY, ENDPOINT)
        .webhook(WebhookServing.ASSUMED, true)
        .rollout(outcome);
  }

  static Condition condition(TracingPolicyStatus status, String type) {
    return PolicyConditions.find(status.getConditions(), type).orElseThrow();
  }

  static RolloutOutcome outcome(boolean active, boolean degraded, WorkloadPhase... phases) {
    RolloutStatus status = new RolloutStatus();
    for (WorkloadPhase phase : phases) {
      WorkloadRollout w = new WorkloadRollout("Deployment", "shop", "app-" + phase);
      w.setPhase(phase);
      status.getWorkloads().add(w);
    }
    status.setRestarting(
        (int) List.of(phases).stream().filter(p -> p == WorkloadPhase.Restarting).count());
    status.setSummary("1/2");
    return new RolloutOutcome(
        status,
        active,
        degraded,
        List.of(new RolloutOutcome.Event("Warning", "RolledBack", "Deployment/shop/app: x")));
  }

  @Test
  void aPolicyIsNotReadyWhileTheApiServerDoesNotCallItsWebhook() {
    TracingPolicyStatus pending =
        reconciling().backend(READY, ENDPOINT).webhook(PENDING, true).build();
    assertThat(condition(pending, PolicyConditions.WEBHOOK_READY).getReason())
        .isEqualTo("NotServing");
    assertThat(condition(pending, PolicyConditions.READY))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo(PolicyConditions.REASON_WEBHOOK_PENDING);
              assertThat(c.getMessage()).isEqualTo("the API server does not call it yet");
            });

    TracingPolicyStatus serving =
        reconciling().backend(READY, ENDPOINT).webhook(WebhookServing.ASSUMED, true).build();
    assertThat(condition(serving, PolicyConditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(serving, PolicyConditions.WEBHOOK_READY).getStatus()).isEqualTo("True");
  }

  @Test
  void howSoonAPolicyIsLookedAtAgainFollowsHowFarTheReconcileGot() {
    Duration recheck = Duration.ofSeconds(17);
    assertThat(reconciling().invalid(new Problem("NoBackend", "x"), recheck).recheckAfter())
        .contains(recheck);
    assertThat(reconciling().backend(STARTING, ENDPOINT).recheckAfter())
        .as("Tempo's own events bring the next reconcile")
        .isEmpty();
    assertThat(reconciling().backend(READY, ENDPOINT).webhook(PENDING, true).recheckAfter())
        .as("as soon as the webhook's check asks")
        .contains(Duration.ofMillis(700));
    assertThat(
            reconciling()
                .backend(READY, ENDPOINT)
                .webhook(WebhookServing.ASSUMED, false)
                .recheckAfter())
        .contains(PolicyStatusAggregator.ROLLOUT_STEP);
    assertThat(steppedTo(outcome(true, false, WorkloadPhase.Restarting)).recheckAfter())
        .contains(PolicyStatusAggregator.ROLLOUT_STEP);
    assertThat(steppedTo(outcome(false, false, WorkloadPhase.Instrumented)).recheckAfter())
        .contains(PolicyStatusAggregator.DRIFT_CHECK);
    assertThat(
            PolicyStatusAggregator.updating(policy)
                .removing(outcome(false, false, WorkloadPhase.Instrumented))
                .recheckAfter())
        .as("a deleted policy's pods are looked at closely until its agent is gone")
        .contains(PolicyStatusAggregator.ROLLOUT_STEP);
    assertThat(
            PolicyStatusAggregator.updating(policy)
                .failed(new IllegalStateException())
                .recheckAfter())
        .as("JOSDK retries a failed reconcile")
        .isEmpty();
  }

  @Test
  void anInvalidSpecKeepsTheBackendItPublishedAndReportsTheProblemOnReadyAndBackendReady() {
    TracingPolicyStatus before = new TracingPolicyStatus();
    before.setBackend(ENDPOINT);
    before.setRollout(new RolloutStatus());
    policy.setStatus(before);

    TracingPolicyStatus status =
        reconciling()
            .invalid(new Problem("CredentialsSecretNotFound", "no Secret s3"), Duration.ZERO)
            .build();

    assertThat(status.getBackend()).isSameAs(ENDPOINT);
    assertThat(status.getRollout()).isNull();
    assertThat(condition(status, PolicyConditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(status, PolicyConditions.READY).getReason())
        .isEqualTo("CredentialsSecretNotFound");
    assertThat(condition(status, PolicyConditions.BACKEND_READY).getMessage())
        .isEqualTo("no Secret s3");
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void whileTheBackendStartsTheRolloutStatusStaysAsItWas() {
    RolloutStatus rollout = new RolloutStatus();
    TracingPolicyStatus before = new TracingPolicyStatus();
    before.setRollout(rollout);
    policy.setStatus(before);

    TracingPolicyStatus status = reconciling().backend(STARTING, ENDPOINT).build();

    assertThat(status.getRollout()).isSameAs(rollout);
    assertThat(status.getBackend()).isEqualTo(ENDPOINT);
    assertThat(condition(status, PolicyConditions.READY).getReason())
        .isEqualTo(PolicyConditions.REASON_TEMPO_STARTING);
    assertThat(PolicyConditions.find(status.getConditions(), PolicyConditions.WEBHOOK_READY))
        .isEmpty();
  }

  @Test
  void aRolloutStepSetsProgressingDegradedAndCarriesItsEvents() {
    policy.getSpec().getRollout().setPaused(true);
    PolicyStatusAggregator aggregator =
        steppedTo(outcome(true, true, WorkloadPhase.Pending, WorkloadPhase.RolledBack));
    TracingPolicyStatus status = aggregator.build();

    assertThat(condition(status, PolicyConditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(status, PolicyConditions.WEBHOOK_READY).getReason())
        .isEqualTo("Registered");
    assertThat(condition(status, PolicyConditions.ROLLOUT_PROGRESSING).getReason())
        .isEqualTo("Paused");
    assertThat(condition(status, PolicyConditions.DEGRADED).getReason())
        .isEqualTo("TooManyFailures");
    assertThat(aggregator.events())
        .extracting(RolloutOutcome.Event::reason)
        .containsExactly("RolledBack");

    TracingPolicyStatus settled =
        steppedTo(outcome(false, false, WorkloadPhase.Instrumented)).build();
    assertThat(condition(settled, PolicyConditions.ROLLOUT_PROGRESSING).getReason())
        .isEqualTo("Complete");
    assertThat(condition(settled, PolicyConditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void conflictsNameTheFirstNamespaceAndItsWinner() {
    TracingPolicyStatus status =
        PolicyStatusAggregator.reconciling(policy)
            .governance(List.of(), List.of(new NamespaceConflict("shop", "team.other")))
            .build();
    Condition conflict = condition(status, PolicyConditions.CONFLICT);
    assertThat(conflict.getStatus()).isEqualTo("True");
    assertThat(conflict.getMessage()).contains("shop by team.other");
    assertThat(status.getConflicts()).hasSize(1);
  }

  @Test
  void anErrorKeepsEverythingElseOfThePreviousStatus() {
    TracingPolicyStatus before = new TracingPolicyStatus();
    before.setNamespaces(List.of("shop"));
    before.setBackend(ENDPOINT);
    policy.setStatus(before);

    TracingPolicyStatus status =
        PolicyStatusAggregator.updating(policy).failed(new IllegalStateException()).build();

    assertThat(status.getNamespaces()).containsExactly("shop");
    assertThat(status.getBackend()).isSameAs(ENDPOINT);
    Condition ready = condition(status, PolicyConditions.READY);
    assertThat(ready.getReason()).isEqualTo(PolicyConditions.REASON_RECONCILE_ERROR);
    assertThat(ready.getMessage()).isEqualTo("IllegalStateException");
    assertThat(Optional.ofNullable(ready.getObservedGeneration())).contains(3L);
  }
}
