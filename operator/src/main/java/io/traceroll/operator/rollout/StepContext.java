package io.traceroll.operator.rollout;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Durations;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.RolledBackWorkloads;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one step of a policy's rollout decides from, besides the cluster: the policy's rollout
 * spec and injection, the namespaces it governs (none while it is being deleted), the time, the
 * retry asked for, and what the image probe has learned (the webhook decides from the same).
 */
public record StepContext(
    String policyId,
    Rollout spec,
    InjectionSettings injection,
    Set<String> governed,
    Instant now,
    String retry,
    ImageVerdicts images) {

  public StepContext {
    governed = Set.copyOf(governed);
  }

  /** A step with no image probed. */
  public StepContext(
      String policyId,
      Rollout spec,
      InjectionSettings injection,
      Set<String> governed,
      Instant now,
      String retry) {
    this(policyId, spec, injection, governed, now, retry, ImageVerdicts.NONE);
  }

  /** A step with no retry asked (no traceroll.io/retry annotation on the policy). */
  public StepContext(
      String policyId,
      Rollout spec,
      InjectionSettings injection,
      Set<String> governed,
      Instant now) {
    this(policyId, spec, injection, governed, now, null);
  }

  /** The same step, its rolled-back workloads forgotten: they are tried again. */
  StepContext retrying() {
    return new StepContext(
        policyId,
        spec,
        injection.withRolledBack(RolledBackWorkloads.NONE),
        governed,
        now,
        retry,
        images);
  }

  /**
   * Whether the policy wants its agent in the workload's pods: it governs the namespace and the
   * injection decision, the very one the webhook follows, injects the workload's template.
   */
  boolean wants(Workload workload) {
    return decision(workload).map(InjectionDecision::injects).orElse(false);
  }

  /**
   * The injection decision for the workload's template; a namespace the policy does not govern gets
   * no decision (empty).
   */
  Optional<InjectionDecision> decision(Workload workload) {
    return governed.contains(workload.namespace())
        ? Optional.of(
            InjectionDecision.of(injection, workload.template(), workload.namespace(), images))
        : Optional.empty();
  }

  /** The injection hash pods must carry to be current. */
  String desiredHash() {
    return injection.injectionHash();
  }

  /** Whether the policy injects the agent this operator release bundles (no image of its own). */
  boolean bundledAgent() {
    return Traceroll.DEFAULT_AGENT_IMAGE.equals(injection.agentImage());
  }

  /** What a restart for this action writes to traceroll.io/restarted-for. */
  String target(WorkloadAction action) {
    return action == WorkloadAction.Remove ? Traceroll.RESTARTED_FOR_REMOVAL : desiredHash();
  }

  Duration gateTimeout() {
    return Durations.parse(spec.getHealthGate().getTimeout());
  }

  /** The revision the restarts of this step write (traceroll.io/restarted-at). */
  String revision() {
    return now.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** When a restart of this step began, as status shows it. */
  String startedAt() {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
