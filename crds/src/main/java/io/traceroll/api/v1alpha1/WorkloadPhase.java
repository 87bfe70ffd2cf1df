package io.traceroll.api.v1alpha1;

/** Where one workload stands in a policy's rollout. */
public enum WorkloadPhase {
  /** Waiting for a restart slot (or for a natural restart with OnNextRestart). */
  Pending,
  /** Restarted by the rollout; its new pods are being checked against the health gate. */
  Restarting,
  /** Its pods run with the policy's current injection (or, when removing, without any). */
  Instrumented,
  /**
   * Its instrumented pods failed the health gate and autoRollback is off, or its new pods came up
   * without the agent.
   */
  Failed,
  /** Its instrumented pods failed the health gate; it was opted out and restarted without. */
  RolledBack,
  /**
   * A pod-template patch does not roll it (a paused Deployment, an OnDelete or partitioned update
   * strategy): it gets the change at its next restart, which the rollout neither forces nor waits
   * for.
   */
  Waiting
}
