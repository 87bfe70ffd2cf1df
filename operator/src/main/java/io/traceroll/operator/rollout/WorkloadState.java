package io.traceroll.operator.rollout;

import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;

/**
 * Where one workload stands in a rollout, as an immutable value: each transition makes a new one.
 * Read from and written to the policy's status ({@link WorkloadRollout}), so a restarted operator
 * or a new leader resumes from it.
 */
record WorkloadState(
    String kind,
    String namespace,
    String name,
    WorkloadAction action,
    WorkloadPhase phase,
    String target,
    String revision,
    String startedAt,
    String message) {

  static WorkloadState of(WorkloadRollout entry) {
    return new WorkloadState(
        entry.getKind(),
        entry.getNamespace(),
        entry.getName(),
        entry.getAction(),
        entry.getPhase(),
        entry.getTarget(),
        entry.getRevision(),
        entry.getStartedAt(),
        entry.getMessage());
  }

  /** Waiting for a restart of the workload. */
  static WorkloadState pending(Workload w, WorkloadAction action, String message) {
    return new WorkloadState(
        w.kind(),
        w.namespace(),
        w.name(),
        action,
        WorkloadPhase.Pending,
        null,
        null,
        null,
        message);
  }

  /** Restarted for {@code target} at {@code revision}, its new pods yet to pass the gate. */
  static WorkloadState restarting(
      Workload w,
      WorkloadAction action,
      String target,
      String revision,
      String startedAt,
      String message) {
    return new WorkloadState(
        w.kind(),
        w.namespace(),
        w.name(),
        action,
        WorkloadPhase.Restarting,
        target,
        revision,
        startedAt,
        message);
  }

  /** The same restart in another phase, or with another message. */
  WorkloadState in(WorkloadPhase next, String why) {
    return new WorkloadState(kind, namespace, name, action, next, target, revision, startedAt, why);
  }

  /**
   * A rolled-back workload after its restart without the agent (action Remove): never restarted
   * again for the same injection.
   */
  WorkloadState restartedWithoutAgent(String revision, String startedAt, String why) {
    return new WorkloadState(
        kind,
        namespace,
        name,
        WorkloadAction.Remove,
        WorkloadPhase.RolledBack,
        target,
        revision,
        startedAt,
        why);
  }

  String key() {
    return kind + "/" + namespace + "/" + name;
  }

  WorkloadRollout toStatus() {
    WorkloadRollout entry = new WorkloadRollout(kind, namespace, name);
    entry.setAction(action);
    entry.setPhase(phase);
    entry.setTarget(target);
    entry.setRevision(revision);
    entry.setStartedAt(startedAt);
    entry.setMessage(message);
    return entry;
  }
}
