package io.traceroll.api.v1alpha1;

/** How running workloads receive tracing. */
public enum RolloutStrategy {
  /** Restart workloads in batches of maxConcurrent, each gated on health. */
  Staged,
  /** Restart every selected workload at once. */
  Immediate,
  /** Restart nothing; pods get the agent when they restart for other reasons. */
  OnNextRestart
}
