package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The phases of one workload in a rollout and what moves it between them, as pure functions of the
 * step, the workload, its pods and its previous state:
 *
 * <pre>
 * (none) --needs a restart--> Pending --restart slot (RolloutExecutor)--> Restarting
 * Restarting --gate passed--> Instrumented
 * Restarting --gate failed--> RolledBack (autoRollback, instrumenting) | Failed
 * RolledBack (Instrument) --restart without the agent (RolloutExecutor)--> RolledBack (Remove)
 * Pending --no longer needed--> Instrumented
 * </pre>
 *
 * A rolled-back workload stays so while the policy's injection is the one it failed with: its
 * status entry (with its pod selector) keeps the webhook from injecting its pods, so the restart
 * without the agent changes only the workload's restart annotation.
 *
 * <p>A restart the policy made that its status does not show (status lost, or a new leader) is
 * resumed as Restarting and gated, never made twice; a Failed workload is not retried for the same
 * action.
 */
final class WorkloadStateMachine {
  /** A workload's next state (null: it needs nothing and was never touched), and its effects. */
  record Transition(WorkloadState state, boolean rollBack, Optional<RolloutOutcome.Event> event) {
    static Transition to(WorkloadState state) {
      return new Transition(state, false, Optional.empty());
    }
  }

  private WorkloadStateMachine() {}

  static Transition next(
      StepContext step,
      Workload w,
      List<PodFacts> pods,
      Optional<WorkloadAction> need,
      WorkloadState previous) {
    if (previous != null && previous.phase() == WorkloadPhase.Restarting) {
      return gate(step, w, pods, previous);
    }
    if (previous != null
        && previous.phase() == WorkloadPhase.RolledBack
        && step.desiredHash().equals(previous.target())) {
      // Restarted without the agent once (action Remove) at most; a workload whose pods lost the
      // agent some other way needs no restart.
      boolean restart =
          previous.action() == WorkloadAction.Instrument
              && need.isPresent()
              && need.get() == WorkloadAction.Remove;
      return new Transition(previous, restart, Optional.empty());
    }
    Optional<Transition> resumed = resume(step, w, pods, need, previous);
    if (resumed.isPresent()) {
      return resumed.get();
    }
    if (need.isEmpty()) {
      return Transition.to(
          previous != null
                  && (previous.phase() == WorkloadPhase.Pending
                      || previous.phase() == WorkloadPhase.Waiting)
              ? previous.in(WorkloadPhase.Instrumented, "up to date without a rollout restart")
              : previous);
    }
    WorkloadAction action = need.get();
    if (recentlyRestartedFor(step, w, step.target(action))) {
      // Pods still catching up with a restart made for this very target: never a second one
      // in the same wave. Drift found later (after the gate timeout) is restarted again.
      return Transition.to(previous);
    }
    if (previous != null
        && previous.phase() == WorkloadPhase.Failed
        && previous.action() == action) {
      return Transition.to(previous); // not retried: fix the workload or the policy first
    }
    if (w.rollBlocker() != null) {
      return Transition.to(
          WorkloadState.pending(w, action, "waits for its next restart: " + w.rollBlocker())
              .in(WorkloadPhase.Waiting, "waits for its next restart: " + w.rollBlocker()));
    }
    return Transition.to(
        WorkloadState.pending(
            w,
            action,
            step.spec().getStrategy() == RolloutStrategy.OnNextRestart
                ? "waiting for the workload's next restart"
                : "waiting for a restart slot"));
  }

  /**
   * A restart this policy made for its current target that the status does not show as running:
   * gated, never repeated. Only within the health-gate timeout of the restart, so an old restart is
   * not judged anew.
   */
  private static Optional<Transition> resume(
      StepContext step,
      Workload w,
      List<PodFacts> pods,
      Optional<WorkloadAction> need,
      WorkloadState previous) {
    boolean unknownToStatus = previous == null || previous.phase() == WorkloadPhase.Pending;
    if (!unknownToStatus || w.restartedFor() == null) {
      return Optional.empty();
    }
    WorkloadAction made =
        Traceroll.RESTARTED_FOR_REMOVAL.equals(w.restartedFor())
            ? WorkloadAction.Remove
            : WorkloadAction.Instrument;
    if (!recentlyRestartedFor(step, w, step.target(made))
        || (need.isPresent() && need.get() != made)) {
      return Optional.empty();
    }
    WorkloadState restarting =
        WorkloadState.restarting(
            w,
            made,
            w.restartedFor(),
            w.restartedAt(),
            w.restartedAt(),
            "resumed: restart already made");
    return Optional.of(gate(step, w, pods, restarting));
  }

  private static boolean recentlyRestartedFor(StepContext step, Workload w, String target) {
    if (!target.equals(w.restartedFor()) || w.restartedAt() == null) {
      return false;
    }
    try {
      Instant at = Instant.parse(w.restartedAt());
      return !step.now().isAfter(at.plus(step.gateTimeout()));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Transition gate(
      StepContext step, Workload w, List<PodFacts> pods, WorkloadState restarting) {
    if (w.rollBlocker() != null) {
      // Paused (or its strategy changed) after the restart: the new pods come when the user lets
      // them; not a failure, never rolled back for it.
      return Transition.to(
          restarting.in(WorkloadPhase.Waiting, "waits for its next restart: " + w.rollBlocker()));
    }
    if (restarting.action() == WorkloadAction.Remove
        && w.rolledOut()
        && pods.stream()
            .filter(p -> !p.gone())
            .noneMatch(p -> RolloutPlanner.injectedBy(step.policyId(), p.annotations()))) {
      // The removal's aim is reached, whoever rolled the last pods: another policy that took
      // the namespace over may have restarted the workload again, under its own revision.
      return Transition.to(
          restarting.in(WorkloadPhase.Instrumented, "the policy's agent is out of every pod"));
    }
    var gate = step.spec().getHealthGate();
    WorkloadHealth.Verdict verdict =
        WorkloadHealth.evaluate(
            w,
            pods,
            restarting.revision(),
            restarting.action() == WorkloadAction.Instrument ? restarting.target() : null,
            gate.isAgentContact(),
            startedAt(restarting, step.now()),
            step.now(),
            step.gateTimeout(),
            gate.getMaxRestarts());
    String why = w.key() + ": " + verdict.reason();
    return switch (verdict.state()) {
      case PASSED -> Transition.to(restarting.in(WorkloadPhase.Instrumented, verdict.reason()));
      case WAITING -> Transition.to(restarting.in(WorkloadPhase.Restarting, verdict.reason()));
      // Its pods are healthy, only without the agent: nothing to roll back, and restarting it
      // again for the same injection could loop. Failed, with the reason.
      case NOT_INJECTED ->
          new Transition(
              restarting.in(WorkloadPhase.Failed, verdict.reason()),
              false,
              Optional.of(RolloutOutcome.Event.warning("NotInjected", why)));
      case FAILED ->
          step.spec().isAutoRollback() && restarting.action() == WorkloadAction.Instrument
              ? new Transition(
                  restarting.in(WorkloadPhase.RolledBack, "rolled back: " + verdict.reason()),
                  false,
                  Optional.of(RolloutOutcome.Event.warning("RolledBack", why)))
              : new Transition(
                  restarting.in(WorkloadPhase.Failed, verdict.reason()),
                  false,
                  Optional.of(RolloutOutcome.Event.warning("HealthGateFailed", why)));
    };
  }

  private static Instant startedAt(WorkloadState state, Instant now) {
    try {
      return state.startedAt() == null ? now : Instant.parse(state.startedAt());
    } catch (RuntimeException e) {
      return now;
    }
  }
}
