package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.Traceroll;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A hand-written cluster for the executor: workloads with pods whose health the test sets, and a
 * restart that records itself and replaces the pods as a controller would.
 */
final class FakeCluster implements RolloutExecutor.Cluster {
  /** What restarting a workload does to its pods. */
  enum Outcome {
    HEALTHY,
    CRASHLOOP_WITH_AGENT,
    STUCK
  }

  final Map<String, Workload> workloads = new LinkedHashMap<>();
  final Map<String, List<PodFacts>> pods = new HashMap<>();
  final Map<String, Outcome> outcomes = new HashMap<>();
  final List<String> restarts = new ArrayList<>();
  String currentHash = "h1";
  String policyId = "obs.default";

  Workload add(String namespace, String name, Outcome outcome, boolean instrumented) {
    Workload w =
        new Workload(
            "Deployment",
            namespace,
            name,
            1,
            true,
            Map.of(),
            Map.of(),
            new LabelSelectorBuilder().addToMatchLabels("app", name).build());
    workloads.put(w.key(), w);
    outcomes.put(w.key(), outcome);
    pods.put(w.key(), List.of(pod(name, instrumented ? currentHash : null, null, true, null)));
    return w;
  }

  PodFacts pod(String name, String hash, String revision, boolean ready, String failing) {
    Map<String, String> annotations = new HashMap<>();
    if (hash != null) {
      annotations.put(Traceroll.INJECTED_ANNOTATION, policyId + "@1");
      annotations.put(Traceroll.INJECTION_HASH_ANNOTATION, hash);
    }
    if (revision != null) {
      annotations.put(Traceroll.RESTARTED_AT_ANNOTATION, revision);
    }
    return new PodFacts(
        name + "-pod",
        Map.of("app", name),
        annotations,
        ready,
        false,
        failing == null ? 0 : 5,
        failing);
  }

  /** The controller and kubelet catch up: restarted workloads get new pods per their outcome. */
  void settle() {
    for (Workload w : List.copyOf(workloads.values())) {
      String revision = w.restartedAt();
      if (revision == null
          || pods.get(w.key()).stream()
              .anyMatch(
                  p -> revision.equals(p.annotations().get(Traceroll.RESTARTED_AT_ANNOTATION)))) {
        continue;
      }
      boolean optedOut = w.optedOut();
      boolean removing = RolloutPlanner.NONE.equals(w.restartedFor());
      String hash = optedOut || removing ? null : currentHash;
      Outcome outcome = outcomes.get(w.key());
      PodFacts next =
          switch (outcome) {
            case HEALTHY -> pod(w.name(), hash, revision, true, null);
            case CRASHLOOP_WITH_AGENT ->
                hash == null
                    ? pod(w.name(), null, revision, true, null)
                    : pod(w.name(), hash, revision, false, "app: CrashLoopBackOff");
            case STUCK -> pod(w.name(), hash, revision, false, null);
          };
      pods.put(w.key(), List.of(next));
    }
  }

  @Override
  public List<Workload> workloads(String namespace) {
    return workloads.values().stream().filter(w -> w.namespace().equals(namespace)).toList();
  }

  @Override
  public List<PodFacts> pods(String namespace, LabelSelector selector) {
    String app = selector.getMatchLabels().get("app");
    return pods.getOrDefault("Deployment/" + namespace + "/" + app, List.of());
  }

  @Override
  public Set<String> namespacesInjectedBy(String id) {
    return pods.entrySet().stream()
        .filter(e -> e.getValue().stream().anyMatch(p -> RolloutPlanner.injectedBy(id, p)))
        .map(e -> e.getKey().split("/")[1])
        .collect(Collectors.toSet());
  }

  @Override
  public void restart(Workload w, String revision, String target, boolean optOut) {
    restarts.add(w.key());
    Map<String, String> annotations = new HashMap<>(w.templateAnnotations());
    annotations.put(Traceroll.RESTARTED_AT_ANNOTATION, revision);
    annotations.put(Traceroll.RESTARTED_FOR_ANNOTATION, target);
    if (optOut) {
      annotations.put(Traceroll.INJECT_ANNOTATION, "false");
    }
    workloads.put(
        w.key(),
        new Workload(
            w.kind(),
            w.namespace(),
            w.name(),
            w.desired(),
            true,
            annotations,
            w.templateLabels(),
            w.selector()));
  }
}
