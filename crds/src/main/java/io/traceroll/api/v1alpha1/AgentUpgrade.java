package io.traceroll.api.v1alpha1;

/**
 * What an operator upgrade that brings a newer bundled agent does to workloads already running an
 * older one (policies that name their own {@code java.image} pin it and are never upgraded).
 */
public enum AgentUpgrade {
  /** Nothing restarts: pods get the new agent when they restart for other reasons. */
  OnNextRestart,
  /** The rollout restarts every instrumented workload, staged and health-gated as configured. */
  Rollout
}
