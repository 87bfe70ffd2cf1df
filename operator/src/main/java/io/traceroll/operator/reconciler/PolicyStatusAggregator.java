package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.traceroll.api.v1alpha1.BackendStatus;
import io.traceroll.api.v1alpha1.NamespaceConflict;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.operator.rollout.RolloutOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a policy's status from what one reconcile found (after Keycloak's status aggregator): each
 * stage reports its outcome here, and the conditions, the Events to record and how soon to look
 * again are derived in this one place.
 */
final class PolicyStatusAggregator {
  /** How often a running rollout is stepped (gates checked, next batch started). */
  static final Duration ROLLOUT_STEP = Duration.ofSeconds(2);

  /**
   * How often a settled policy looks again for drift (pods admitted while the webhook was down).
   */
  static final Duration DRIFT_CHECK = Duration.ofSeconds(30);

  /** How far a reconcile got; it decides when the policy is looked at again. */
  private enum Stage {
    /** The spec cannot be applied as written: looked at again after the recheck interval. */
    INVALID,
    /** Tempo or the gateway is starting: their own events bring the next reconcile. */
    BACKEND_STARTING,
    /** Waiting for the rollout's caches. */
    WAITING,
    /** The API server does not call the webhook for the policy's pods yet: asked again soon. */
    WEBHOOK_PENDING,
    /** The rollout stepped. */
    ROLLING_OUT,
    /** A deleted policy's agent is being taken out of its workloads: watched closely. */
    REMOVING,
    /** The reconcile failed: JOSDK retries it. */
    FAILED
  }

  private final TracingPolicy policy;
  private final TracingPolicyStatus previous;
  private final TracingPolicyStatus status;
  private final List<RolloutOutcome.Event> events = new ArrayList<>();
  private Stage stage = Stage.WAITING;
  private Duration recheckInvalid = DRIFT_CHECK;
  private Duration recheckWebhook = ROLLOUT_STEP;
  private boolean rolloutActive;

  private PolicyStatusAggregator(TracingPolicy policy, TracingPolicyStatus start) {
    this.policy = policy;
    this.previous = policy.getStatus();
    this.status = start;
  }

  /**
   * For a reconcile: conditions carry over (so their transition times stay), every other field is
   * what this reconcile reports.
   */
  static PolicyStatusAggregator reconciling(TracingPolicy policy) {
    TracingPolicyStatus status = new TracingPolicyStatus();
    TracingPolicyStatus previous = policy.getStatus();
    status.setConditions(previous == null ? List.of() : previous.getConditions());
    status.setObservedGeneration(policy.getMetadata().getGeneration());
    return new PolicyStatusAggregator(policy, status);
  }

  /** For cleanup and errors: the previous status, with what this pass reports changed. */
  static PolicyStatusAggregator updating(TracingPolicy policy) {
    return new PolicyStatusAggregator(
        policy, policy.getStatus() == null ? new TracingPolicyStatus() : policy.getStatus());
  }

  /** Which selected namespaces the policy governs, and which another policy wins. */
  PolicyStatusAggregator governance(List<String> governed, List<NamespaceConflict> conflicts) {
    status.setNamespaces(governed);
    status.setConflicts(conflicts);
    set(
        PolicyConditions.CONFLICT,
        !conflicts.isEmpty(),
        conflicts.isEmpty() ? "NoConflict" : "NamespacesGovernedElsewhere",
        conflicts.isEmpty()
            ? "no selected namespace is governed by another policy"
            : conflicts.size()
                + " selected namespace(s) governed by another policy, e.g. "
                + conflicts.get(0).getNamespace()
                + " by "
                + conflicts.get(0).getGovernedBy());
    return this;
  }

  /** The spec cannot be applied: its children stay as they are, and so does the backend status. */
  PolicyStatusAggregator invalid(Problem problem, Duration recheck) {
    stage = Stage.INVALID;
    recheckInvalid = recheck;
    status.setBackend(previous == null ? null : previous.getBackend());
    set(PolicyConditions.READY, false, problem.reason(), problem.message());
    set(PolicyConditions.BACKEND_READY, false, problem.reason(), problem.message());
    return this;
  }

  /** The children are applied; whether the backend agents export to is ready decides Ready. */
  PolicyStatusAggregator backend(BackendReadiness.Result readiness, BackendStatus endpoint) {
    status.setBackend(endpoint);
    set(PolicyConditions.BACKEND_READY, readiness.ready(), readiness.reason(), readiness.message());
    if (readiness.ready()) {
      set(PolicyConditions.READY, true, PolicyConditions.REASON_RECONCILED, "all objects in place");
    } else {
      stage = Stage.BACKEND_STARTING;
      keepRollout();
      set(PolicyConditions.READY, false, readiness.reason(), readiness.message());
    }
    return this;
  }

  /**
   * Whether the API server calls the webhook for the policy's pods. Ready waits for it (a user who
   * applies pods once the policy is Ready must get them injected), and so do restarts (and for the
   * rollout's caches), or new pods would come up without the agent.
   */
  PolicyStatusAggregator webhook(WebhookServing.Verdict webhook, boolean rolloutCachesReady) {
    set(PolicyConditions.WEBHOOK_READY, webhook.serving(), webhook.reason(), webhook.message());
    if (!webhook.serving()) {
      stage = Stage.WEBHOOK_PENDING;
      recheckWebhook = webhook.askAgainAfter();
      keepRollout();
      set(
          PolicyConditions.READY,
          false,
          PolicyConditions.REASON_WEBHOOK_PENDING,
          webhook.message());
    } else if (!rolloutCachesReady) {
      stage = Stage.WAITING;
      keepRollout();
    }
    return this;
  }

  /** Caches not ready yet: nothing is decided, and the policy is looked at again shortly. */
  PolicyStatusAggregator waiting() {
    stage = Stage.WAITING;
    return this;
  }

  /** A rollout step: its status, RolloutProgressing, Degraded and its Events. */
  PolicyStatusAggregator rollout(RolloutOutcome outcome) {
    stage = Stage.ROLLING_OUT;
    rolloutActive = outcome.active();
    var r = outcome.status();
    status.setRollout(r);
    boolean moving =
        r.getRestarting() > 0
            || r.getWorkloads().stream().anyMatch(w -> w.getPhase() == WorkloadPhase.Pending);
    set(
        PolicyConditions.ROLLOUT_PROGRESSING,
        moving,
        moving ? (policy.getSpec().getRollout().isPaused() ? "Paused" : "Restarting") : "Complete",
        r.getSummary() + " workloads instrumented, " + r.getRestarting() + " restarting");
    set(
        PolicyConditions.DEGRADED,
        outcome.degraded(),
        outcome.degraded() ? "TooManyFailures" : "Healthy",
        r.getFailed() + " failed, " + r.getRolledBack() + " rolled back");
    events.addAll(outcome.events());
    return this;
  }

  /** A step taking a deleted policy's agent out of its workloads. */
  PolicyStatusAggregator removing(RolloutOutcome outcome) {
    rollout(outcome);
    stage = Stage.REMOVING;
    return this;
  }

  /** The reconcile failed with an exception. */
  PolicyStatusAggregator failed(Exception e) {
    stage = Stage.FAILED;
    set(
        PolicyConditions.READY,
        false,
        PolicyConditions.REASON_RECONCILE_ERROR,
        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    return this;
  }

  TracingPolicyStatus build() {
    return status;
  }

  /** The rollout's Events of this pass. */
  List<RolloutOutcome.Event> events() {
    return List.copyOf(events);
  }

  /** The reason of the Ready condition as it stands. */
  String readyReason() {
    return PolicyConditions.find(status.getConditions(), PolicyConditions.READY)
        .map(Condition::getReason)
        .orElse("Unknown");
  }

  /**
   * How soon to reconcile again when nothing in the cluster changes: the one place it is decided.
   */
  Optional<Duration> recheckAfter() {
    return switch (stage) {
      case INVALID -> Optional.of(recheckInvalid);
      case BACKEND_STARTING, FAILED -> Optional.empty();
      case WAITING, REMOVING -> Optional.of(ROLLOUT_STEP);
      case WEBHOOK_PENDING -> Optional.of(recheckWebhook);
      case ROLLING_OUT -> Optional.of(rolloutActive ? ROLLOUT_STEP : DRIFT_CHECK);
    };
  }

  private void keepRollout() {
    status.setRollout(previous == null ? null : previous.getRollout());
  }

  private void set(String type, boolean value, String reason, String message) {
    status.setConditions(
        PolicyConditions.set(
            status.getConditions(),
            type,
            value,
            reason,
            message,
            policy.getMetadata().getGeneration()));
  }
}
