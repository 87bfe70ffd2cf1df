package io.traceroll.api.v1alpha1;

/** What a rollout does to one workload. */
public enum WorkloadAction {
  /** Restart it so its pods get the policy's current injection. */
  Instrument,
  /** Restart it so its pods lose an injection that no longer applies. */
  Remove
}
