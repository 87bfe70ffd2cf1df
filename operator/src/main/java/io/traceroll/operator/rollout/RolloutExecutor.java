package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.traceroll.api.v1alpha1.Durations;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.RolloutStrategy;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One step of a policy's rollout: gates the workloads being restarted, rolls back those that fail,
 * and restarts the next ones within the budget. All state it needs is in the policy's status and on
 * the workloads themselves (restart annotations), so an operator restart or a new leader resumes
 * where the last one stopped and never restarts a workload twice.
 */
public final class RolloutExecutor {
  static final String INSTRUMENT = "Instrument";
  static final String REMOVE = "Remove";

  /** Failing share of attempted workloads above which the rollout stops (Degraded). */
  static final double DEGRADED_SHARE = 0.2;

  /** The cluster as the executor sees it; production reads informer caches. */
  public interface Cluster {
    List<Workload> workloads(String namespace);

    List<PodFacts> pods(String namespace, LabelSelector selector);

    /** Namespaces with pods that carry this policy's injection. */
    Set<String> namespacesInjectedBy(String policyId);

    /** Patches the pod template so the controller rolls new pods, as kubectl rollout restart. */
    void restart(Workload workload, String revision, String target, boolean optOut);
  }

  /** An Event to record on the policy. */
  public record Event(String type, String reason, String message) {}

  /** The rollout's new status and what the reconciler should report. */
  public record Outcome(
      RolloutStatus status, boolean active, boolean degraded, List<Event> events) {}

  private final Cluster cluster;

  public RolloutExecutor(Cluster cluster) {
    this.cluster = cluster;
  }

  public Outcome step(
      String policyId,
      Rollout spec,
      RolloutStatus previous,
      Set<String> governed,
      String desiredHash,
      Instant now) {
    Map<String, WorkloadRollout> before = new HashMap<>();
    if (previous != null) {
      previous.getWorkloads().forEach(w -> before.put(w.key(), w));
    }
    List<Event> events = new ArrayList<>();
    List<WorkloadRollout> entries = new ArrayList<>();
    Map<String, Workload> byKey = new HashMap<>();
    int total = 0;
    int current = 0;
    Set<String> namespaces = new TreeSet<>(governed);
    namespaces.addAll(cluster.namespacesInjectedBy(policyId));
    before.values().forEach(w -> namespaces.add(w.getNamespace()));
    for (String namespace : namespaces) {
      for (Workload w : sorted(cluster.workloads(namespace))) {
        byKey.put(w.key(), w);
        List<PodFacts> pods = cluster.pods(namespace, w.selector());
        boolean isGoverned = governed.contains(namespace);
        RolloutPlanner.Action action =
            RolloutPlanner.plan(policyId, isGoverned ? desiredHash : null, w, pods);
        if (isGoverned && !w.optedOut() && !pods.isEmpty()) {
          total++;
        }
        WorkloadRollout entry =
            next(spec, w, pods, action, desiredHash, before.get(w.key()), now, events);
        if (entry == null) {
          if (isGoverned && !w.optedOut() && !pods.isEmpty()) {
            current++;
          }
          continue;
        }
        if (entry.getPhase() == WorkloadPhase.Instrumented
            && INSTRUMENT.equals(entry.getAction())) {
          current++;
        }
        entries.add(entry);
      }
    }
    int failed = count(entries, WorkloadPhase.Failed);
    int rolledBack = count(entries, WorkloadPhase.RolledBack);
    int attempted = failed + rolledBack + count(entries, WorkloadPhase.Instrumented);
    boolean degraded = failed + rolledBack >= 2 && failed + rolledBack > DEGRADED_SHARE * attempted;
    List<String> plan = startRestarts(spec, entries, byKey, degraded, now, desiredHash);

    RolloutStatus status = new RolloutStatus();
    status.setWorkloads(entries);
    status.setPlan(plan);
    status.setTotal(total);
    status.setInstrumented(current);
    status.setRestarting(count(entries, WorkloadPhase.Restarting));
    status.setFailed(failed);
    status.setRolledBack(rolledBack);
    status.setSummary(current + "/" + total);
    boolean active =
        entries.stream()
            .anyMatch(
                e ->
                    e.getPhase() == WorkloadPhase.Restarting
                        || e.getPhase() == WorkloadPhase.Pending);
    return new Outcome(status, active, degraded, events);
  }

  /** The next state of one workload, or null when it needs nothing and was never touched. */
  private WorkloadRollout next(
      Rollout spec,
      Workload w,
      List<PodFacts> pods,
      RolloutPlanner.Action action,
      String desiredHash,
      WorkloadRollout previous,
      Instant now,
      List<Event> events) {
    if (previous != null && previous.getPhase() == WorkloadPhase.Restarting) {
      return gate(spec, w, pods, previous, now, events);
    }
    WorkloadRollout resumed =
        resumeRestart(spec, w, pods, action, desiredHash, previous, now, events);
    if (resumed != null) {
      return resumed;
    }
    if (action == RolloutPlanner.Action.NOTHING) {
      if (previous != null && previous.getPhase() == WorkloadPhase.Pending) {
        previous.setPhase(WorkloadPhase.Instrumented);
        previous.setMessage("up to date without a rollout restart");
      }
      return previous;
    }
    String actionName = action == RolloutPlanner.Action.REMOVE ? REMOVE : INSTRUMENT;
    if (recentlyRestartedFor(spec, w, RolloutPlanner.target(action, desiredHash), now)) {
      // Pods still catching up with a restart made for this very target: never a second one
      // in the same wave. Drift found later (after the gate timeout) is restarted again.
      return previous;
    }
    if (previous != null
        && previous.getPhase() == WorkloadPhase.Failed
        && actionName.equals(previous.getAction())) {
      return previous; // not retried: fix the workload or the policy, then it is planned anew
    }
    WorkloadRollout entry = new WorkloadRollout(w.kind(), w.namespace(), w.name());
    entry.setAction(actionName);
    entry.setPhase(WorkloadPhase.Pending);
    entry.setMessage(
        spec.getStrategy() == RolloutStrategy.OnNextRestart
            ? "waiting for the workload's next restart"
            : "waiting for a restart slot");
    return entry;
  }

  /**
   * A restart this policy made for its current target that the status does not show as running (the
   * status was lost, or a new leader took over): gated, never repeated. Only within the health-gate
   * timeout of the restart, so an old restart is not judged anew.
   */
  private WorkloadRollout resumeRestart(
      Rollout spec,
      Workload w,
      List<PodFacts> pods,
      RolloutPlanner.Action action,
      String desiredHash,
      WorkloadRollout previous,
      Instant now,
      List<Event> events) {
    boolean unknownToStatus = previous == null || previous.getPhase() == WorkloadPhase.Pending;
    if (!unknownToStatus || w.restartedFor() == null) {
      return null;
    }
    boolean removing = RolloutPlanner.NONE.equals(w.restartedFor());
    String target = removing ? RolloutPlanner.NONE : desiredHash;
    if (!recentlyRestartedFor(spec, w, target, now)) {
      return null;
    }
    if (action == RolloutPlanner.Action.NOTHING
        || removing == (action == RolloutPlanner.Action.REMOVE)) {
      WorkloadRollout entry = new WorkloadRollout(w.kind(), w.namespace(), w.name());
      entry.setAction(removing ? REMOVE : INSTRUMENT);
      entry.setTarget(w.restartedFor());
      entry.setPhase(WorkloadPhase.Restarting);
      entry.setRevision(w.restartedAt());
      entry.setStartedAt(w.restartedAt());
      entry.setMessage("resumed: restart already made");
      return gate(spec, w, pods, entry, now, events);
    }
    return null;
  }

  private static boolean recentlyRestartedFor(
      Rollout spec, Workload w, String target, Instant now) {
    if (!target.equals(w.restartedFor()) || w.restartedAt() == null) {
      return false;
    }
    try {
      Instant at = Instant.parse(w.restartedAt());
      return !now.isAfter(at.plus(Durations.parse(spec.getHealthGate().getTimeout())));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private WorkloadRollout gate(
      Rollout spec,
      Workload w,
      List<PodFacts> pods,
      WorkloadRollout entry,
      Instant now,
      List<Event> events) {
    WorkloadHealth.Verdict verdict =
        WorkloadHealth.evaluate(
            w,
            pods,
            entry.getRevision(),
            entry.getTarget(),
            startedAt(entry, now),
            now,
            Durations.parse(spec.getHealthGate().getTimeout()),
            spec.getHealthGate().getMaxRestarts());
    switch (verdict.state()) {
      case PASSED -> {
        entry.setPhase(WorkloadPhase.Instrumented);
        entry.setMessage(verdict.reason());
      }
      case FAILED -> {
        if (spec.isAutoRollback() && INSTRUMENT.equals(entry.getAction())) {
          cluster.restart(w, token(now), RolloutPlanner.NONE, true);
          entry.setPhase(WorkloadPhase.RolledBack);
          entry.setMessage(
              "rolled back (opted out with traceroll.io/inject=false): " + verdict.reason());
          events.add(new Event("Warning", "RolledBack", w.key() + ": " + verdict.reason()));
        } else {
          entry.setPhase(WorkloadPhase.Failed);
          entry.setMessage(verdict.reason());
          events.add(new Event("Warning", "HealthGateFailed", w.key() + ": " + verdict.reason()));
        }
      }
      case NOT_INJECTED -> {
        entry.setPhase(WorkloadPhase.Failed);
        entry.setMessage(verdict.reason());
        events.add(new Event("Warning", "NotInjected", w.key() + ": " + verdict.reason()));
      }
      case WAITING -> entry.setMessage(verdict.reason());
    }
    return entry;
  }

  /** Restarts Pending workloads in order while the budget allows; returns the dry-run plan. */
  private List<String> startRestarts(
      Rollout spec,
      List<WorkloadRollout> entries,
      Map<String, Workload> byKey,
      boolean degraded,
      Instant now,
      String desiredHash) {
    List<WorkloadRollout> pending =
        entries.stream().filter(e -> e.getPhase() == WorkloadPhase.Pending).toList();
    if (spec.isDryRun()) {
      return pending.stream().map(WorkloadRollout::key).toList();
    }
    if (spec.getStrategy() == RolloutStrategy.OnNextRestart || spec.isPaused() || degraded) {
      return List.of();
    }
    int budget =
        spec.getStrategy() == RolloutStrategy.Immediate
            ? Integer.MAX_VALUE
            : spec.getMaxConcurrent() - count(entries, WorkloadPhase.Restarting);
    String revision = token(now);
    for (WorkloadRollout entry : pending) {
      if (budget-- <= 0) {
        break;
      }
      Workload w = byKey.get(entry.key());
      String target = REMOVE.equals(entry.getAction()) ? RolloutPlanner.NONE : desiredHash;
      cluster.restart(w, revision, target, false);
      entry.setPhase(WorkloadPhase.Restarting);
      entry.setRevision(revision);
      entry.setTarget(target);
      entry.setStartedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
      entry.setMessage("restarted");
    }
    return List.of();
  }

  private static Instant startedAt(WorkloadRollout entry, Instant now) {
    try {
      return entry.getStartedAt() == null ? now : Instant.parse(entry.getStartedAt());
    } catch (RuntimeException e) {
      return now;
    }
  }

  private static String token(Instant now) {
    return now.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static int count(List<WorkloadRollout> entries, WorkloadPhase phase) {
    return (int) entries.stream().filter(e -> e.getPhase() == phase).count();
  }

  private static List<Workload> sorted(List<Workload> workloads) {
    return workloads.stream().sorted(Comparator.comparing(Workload::key)).toList();
  }
}
