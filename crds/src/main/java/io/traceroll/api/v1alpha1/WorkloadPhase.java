package io.traceroll.api.v1alpha1;

/** Where one workload stands in a policy's rollout. */
public enum WorkloadPhase {
  /** Waiting for a restart slot (or for a natural restart with OnNextRestart). */
  Pending,
  /** Restarted by the rollout; its new pods are being checked against the health gate. */
  Restarting,
  /** Its pods run with the policy's current injection (or, when removing, without any). */
  Instrumented,
  /** Its instrumented pods failed the health gate and autoRollback is off. */
  Failed,
  /** Its instrumented pods failed the health gate; it was opted out and restarted without. */
  RolledBack
}
