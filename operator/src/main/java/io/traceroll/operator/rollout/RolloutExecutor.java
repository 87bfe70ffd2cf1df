package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.SkippedWorkload;
import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.JvmDetection;
import io.traceroll.policy.PodView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One step of a policy's rollout: moves each workload through {@link WorkloadStateMachine}, rolls
 * back those whose gate failed, and restarts the next Pending ones within the budget. All state it
 * needs is in the policy's status and on the workloads themselves (restart annotations), so an
 * operator restart or a new leader resumes where the last one stopped and never restarts a workload
 * twice.
 */
public final class RolloutExecutor {
  /** Failing share of attempted workloads above which the rollout stops (Degraded). */
  static final double DEGRADED_SHARE = 0.2;

  /** Skipped workloads listed in status (all are counted); keeps the status object small. */
  static final int MAX_SKIPPED_LISTED = 100;

  /** The cluster as the executor sees it; production reads informer caches. */
  public interface Cluster {
    List<Workload> workloads(String namespace);

    List<PodFacts> pods(String namespace, LabelSelector selector);

    /** Namespaces with pods that carry this policy's injection. */
    Set<String> namespacesInjectedBy(String policyId);

    /** The running pods that carry this policy's injection, by whether a restart can remove it. */
    InjectedPods injectedPods(String policyId);

    /**
     * Patches the pod template's restart annotations so the controller rolls new pods, as kubectl
     * rollout restart: the only change the rollout ever makes to a workload.
     */
    void restart(Workload workload, String revision, String target);

    /**
     * Null when a new pod of the workload would be admitted with ({@code withAgent}) or without the
     * policy's agent now, as the restart needs; else why not (see {@link PodAdmission}).
     */
    String admissionProblem(Workload workload, String policyId, boolean withAgent);

    /**
     * Asks the image probe to run these images of the workload (those its spec says nothing of);
     * the verdicts come back through the probe's ConfigMap, and a step after them decides again.
     */
    default void probeImages(Workload workload, List<String> images) {}
  }

  private final Cluster cluster;

  public RolloutExecutor(Cluster cluster) {
    this.cluster = cluster;
  }

  public RolloutOutcome step(StepContext step, RolloutStatus previous) {
    Map<String, WorkloadState> before = new HashMap<>();
    if (previous != null) {
      previous.getWorkloads().forEach(w -> before.put(w.key(), WorkloadState.of(w)));
    }
    String retried = previous == null ? null : previous.getRetry();
    if (step.retry() != null && !step.retry().equals(retried)) {
      // A new traceroll.io/retry value: the rolled-back workloads are instrumented again (their
      // restarts wait, through the admission dry run, until the webhook has read this status).
      before.values().removeIf(s -> s.phase() == WorkloadPhase.RolledBack);
      step = step.retrying();
    }
    List<RolloutOutcome.Event> events = new ArrayList<>();
    List<WorkloadState> states = new ArrayList<>();
    Map<String, Workload> byKey = new HashMap<>();
    int total = 0;
    int current = 0;
    int agents = 0;
    int agentsSeen = 0;
    int outdated = 0;
    Map<String, String> detections = new HashMap<>();
    List<SkippedWorkload> skipped = new ArrayList<>();
    for (String namespace : namespaces(step, before.values())) {
      for (Workload w : sorted(cluster.workloads(namespace))) {
        byKey.put(w.key(), w);
        List<PodFacts> pods = cluster.pods(namespace, w.selector());
        // Empty for a namespace the policy does not govern: nothing wanted, nothing to report.
        InjectionDecision decision = step.decision(w).orElse(null);
        boolean wanted = decision != null && decision.injects();
        if (decision instanceof InjectionDecision.Inject inject) {
          detections.put(w.key(), inject.evidence(w.template()));
        } else if (decision instanceof InjectionDecision.Skip skip) {
          skipped.add(
              new SkippedWorkload(
                  w.kind(), w.namespace(), w.name(), skip.reason().name(), skip.message()));
          if (skip.reason() == InjectionDecision.Reason.IMAGE_UNKNOWN) {
            ImageVerdicts images = step.images();
            List<String> unprobed =
                w.template().containers().stream()
                    .filter(c -> JvmDetection.needsProbe(c, images))
                    .map(PodView.ContainerView::image)
                    .distinct()
                    .toList();
            if (!unprobed.isEmpty()) {
              cluster.probeImages(w, unprobed);
            }
          }
        }
        boolean counted = wanted && !pods.isEmpty();
        if (wanted) {
          for (PodFacts p : pods) {
            if (!p.gone()
                && step.desiredHash()
                    .equals(p.annotations().get(Traceroll.INJECTION_HASH_ANNOTATION))) {
              agents++;
              agentsSeen += p.annotations().containsKey(Traceroll.AGENT_SEEN_ANNOTATION) ? 1 : 0;
              outdated +=
                  step.bundledAgent()
                          && !Traceroll.AGENT_VERSION.equals(
                              p.annotations().get(Traceroll.AGENT_VERSION_ANNOTATION))
                      ? 1
                      : 0;
            }
          }
        }
        total += counted ? 1 : 0;
        Optional<WorkloadAction> need =
            RolloutPlanner.need(step.policyId(), wanted ? step.desiredHash() : null, pods);
        var t = WorkloadStateMachine.next(step, w, pods, need, before.get(w.key()));
        t.event().ifPresent(events::add);
        WorkloadState state = t.rollBack() ? rollBack(step, w, t.state()) : t.state();
        if (state == null) {
          current += counted ? 1 : 0;
          continue;
        }
        if (state.phase() == WorkloadPhase.Instrumented
            && state.action() == WorkloadAction.Instrument) {
          current++;
        }
        states.add(state);
      }
    }
    int failed = count(states, WorkloadPhase.Failed);
    int rolledBack = count(states, WorkloadPhase.RolledBack);
    int attempted = failed + rolledBack + count(states, WorkloadPhase.Instrumented);
    boolean degraded = failed + rolledBack >= 2 && failed + rolledBack > DEGRADED_SHARE * attempted;
    List<String> plan = plan(step.spec(), states);
    List<WorkloadState> next = startRestarts(step, states, byKey, degraded);

    RolloutStatus status = new RolloutStatus();
    status.setWorkloads(
        next.stream()
            .map(
                s -> {
                  WorkloadRollout entry = s.toStatus();
                  entry.setDetection(detections.get(s.key()));
                  if (s.phase() == WorkloadPhase.RolledBack && byKey.containsKey(s.key())) {
                    // What keeps the webhook away from its pods while the injection is the same.
                    entry.setSelector(byKey.get(s.key()).selector());
                  }
                  return entry;
                })
            .toList());
    status.setSkipped(skipped.stream().limit(MAX_SKIPPED_LISTED).toList());
    status.setSkippedTotal(skipped.size());
    status.setRetry(step.retry());
    status.setPlan(plan);
    status.setTotal(total);
    status.setInstrumented(current);
    status.setRestarting(count(next, WorkloadPhase.Restarting));
    status.setFailed(failed);
    status.setRolledBack(rolledBack);
    status.setSummary(current + "/" + total);
    status.setVerifiedAgents(agentsSeen + "/" + agents);
    status.setOutdatedAgents(outdated);
    boolean active =
        next.stream()
            .anyMatch(
                s -> s.phase() == WorkloadPhase.Restarting || s.phase() == WorkloadPhase.Pending);
    return new RolloutOutcome(status, active, degraded, events);
  }

  /** Governed namespaces, those still carrying the policy's agent, and those in its status. */
  private Set<String> namespaces(StepContext step, Iterable<WorkloadState> before) {
    Set<String> namespaces = new TreeSet<>(step.governed());
    namespaces.addAll(cluster.namespacesInjectedBy(step.policyId()));
    before.forEach(w -> namespaces.add(w.namespace()));
    return namespaces;
  }

  /** With dryRun: the workloads that would be restarted, in order. */
  private static List<String> plan(Rollout spec, List<WorkloadState> states) {
    return spec.isDryRun()
        ? states.stream()
            .filter(s -> s.phase() == WorkloadPhase.Pending)
            .map(WorkloadState::key)
            .toList()
        : List.of();
  }

  /** Restarts Pending workloads in order while the budget allows; returns the states after. */
  private List<WorkloadState> startRestarts(
      StepContext step, List<WorkloadState> states, Map<String, Workload> byKey, boolean degraded) {
    Rollout spec = step.spec();
    if (spec.isDryRun()
        || spec.getStrategy() == RolloutStrategy.OnNextRestart
        || spec.isPaused()
        || degraded) {
      return states;
    }
    int budget =
        spec.getStrategy() == RolloutStrategy.Immediate
            ? Integer.MAX_VALUE
            : spec.getMaxConcurrent() - count(states, WorkloadPhase.Restarting);
    List<WorkloadState> next = new ArrayList<>(states.size());
    for (WorkloadState state : states) {
      if (state.phase() != WorkloadPhase.Pending || budget <= 0) {
        next.add(state);
        continue;
      }
      budget--;
      Workload w = byKey.get(state.key());
      // Asked before an instrumenting restart only; it takes a slot of the budget either way, so
      // a workload admission keeps refusing holds its slot (and says why) rather than letting
      // every step ask about all of them.
      String problem =
          state.action() == WorkloadAction.Instrument
              ? cluster.admissionProblem(w, step.policyId(), true)
              : null;
      if (problem != null) {
        next.add(state.in(WorkloadPhase.Pending, problem));
        continue;
      }
      String target = step.target(state.action());
      cluster.restart(w, step.revision(), target);
      next.add(
          WorkloadState.restarting(
              w, state.action(), target, step.revision(), step.startedAt(), "restarted"));
    }
    return next;
  }

  /**
   * Restarts a rolled-back workload without the agent once admission leaves its new pods alone (the
   * webhook has read the rollback from the policy's status): only the restart annotation changes on
   * the workload, never an opt-out.
   */
  private WorkloadState rollBack(StepContext step, Workload w, WorkloadState rolledBack) {
    String problem = cluster.admissionProblem(w, step.policyId(), false);
    if (problem != null) {
      return rolledBack.in(
          WorkloadPhase.RolledBack,
          rolledBack.message() + "; restart without the agent waits: " + problem);
    }
    cluster.restart(w, step.revision(), Traceroll.RESTARTED_FOR_REMOVAL);
    return rolledBack.restartedWithoutAgent(
        step.revision(), step.startedAt(), rolledBack.message() + "; restarted without the agent");
  }

  private static int count(List<WorkloadState> states, WorkloadPhase phase) {
    return (int) states.stream().filter(s -> s.phase() == phase).count();
  }

  private static List<Workload> sorted(List<Workload> workloads) {
    return workloads.stream().sorted(Comparator.comparing(Workload::key)).toList();
  }
}
