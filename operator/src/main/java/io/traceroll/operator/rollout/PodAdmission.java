package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/**
 * What the API server's admission would make of a new pod of a workload, asked before the rollout
 * restarts it: a restart whose pods come up without the agent (the webhook not reachable yet) or
 * are refused (a LimitRange, Pod Security) gains nothing and may lose the workload's pods.
 */
@FunctionalInterface
public interface PodAdmission {
  /** Admission is not asked (the mock server runs no webhook). */
  PodAdmission UNCHECKED = (workload, template, policyId, withAgent) -> null;

  /**
   * Null when a pod made from the template now would be admitted, with this policy's agent or
   * ({@code withAgent} false, for a rollback) without it; else why not, for the workload's status.
   */
  String problem(Workload workload, PodTemplateSpec template, String policyId, boolean withAgent);
}
