package io.traceroll.operator.rollout;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
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
    STUCK,
    /** New pods come up healthy but without the agent, as when the webhook failed open. */
    ADMITTED_WITHOUT_AGENT,
    /** New pods come up healthy with the agent, which never contacts the operator. */
    SILENT
  }

  final Map<String, Workload> workloads = new LinkedHashMap<>();
  final Map<String, List<PodFacts>> pods = new HashMap<>();
  final Map<String, Outcome> outcomes = new HashMap<>();
  final List<String> restarts = new ArrayList<>();

  /** The images the rollout asked the probe about, as "Kind/ns/name image". */
  final List<String> probeRequests = new ArrayList<>();

  /** Every restart as "key for target" (an injection hash, or "none" to take the agent out). */
  final List<String> restartTargets = new ArrayList<>();

  /** What admission says of a workload's next pod, by key; absent: admitted with the agent. */
  final Map<String, String> admissionProblems = new HashMap<>();

  /** The policy's settings; the test adds the rolled-back workloads of each step's status. */
  InjectionSettings settings = TestPolicies.settings();

  /** What the image probe learned, as the webhook this cluster stands in for reads it. */
  ImageVerdicts images = ImageVerdicts.NONE;

  final String currentHash = settings.injectionHash();
  final String policyId = settings.policyId();

  Workload add(String namespace, String name, Outcome outcome, boolean instrumented) {
    return add(workload(namespace, name, Map.of(), Map.of()), outcome, instrumented);
  }

  /** An app container that starts a tracer of its own (Datadog's agent). */
  static PodView.ContainerView ownTracer() {
    return new PodView.ContainerView(
        "app",
        "shop/traced:1",
        List.of(),
        Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/dd/dd-java-agent.jar"));
  }

  /** The workload as its controller reports it when a template patch cannot roll it. */
  static Workload blocked(Workload w, String why) {
    return new Workload(
        w.kind(),
        w.namespace(),
        w.name(),
        w.desired(),
        w.rolledOut(),
        w.template(),
        w.selector(),
        why);
  }

  /** A healthy, uninstrumented Deployment whose template has these containers. */
  Workload addWithContainers(String namespace, String name, PodView.ContainerView... containers) {
    Workload base = workload(namespace, name, Map.of(), Map.of());
    PodView template =
        new PodView(
            base.template().labels(),
            base.template().annotations(),
            List.of(),
            List.of(containers));
    return add(
        new Workload(base.kind(), namespace, name, 1, true, template, base.selector()),
        Outcome.HEALTHY,
        false);
  }

  /** A healthy Deployment in shop whose template carries these annotations and labels. */
  Workload addTemplated(Map<String, String> templateAnnotations, Map<String, String> labels) {
    String name = "w" + workloads.size();
    return add(workload("shop", name, templateAnnotations, labels), Outcome.HEALTHY, false);
  }

  private Workload add(Workload w, Outcome outcome, boolean instrumented) {
    String name = w.name();
    workloads.put(w.key(), w);
    outcomes.put(w.key(), outcome);
    pods.put(w.key(), List.of(pod(name, instrumented ? currentHash : null, null, true, null)));
    return w;
  }

  /** A pod; one with the injection has an agent that contacted the operator once ready. */
  PodFacts pod(String name, String hash, String revision, boolean ready, String failing) {
    return pod(name, hash, revision, ready, failing, ready);
  }

  PodFacts pod(
      String name, String hash, String revision, boolean ready, String failing, boolean seen) {
    Map<String, String> annotations = new HashMap<>();
    if (hash != null) {
      annotations.put(Traceroll.INJECTED_ANNOTATION, policyId + "@1");
      annotations.put(Traceroll.INJECTION_HASH_ANNOTATION, hash);
      annotations.put(Traceroll.AGENT_VERSION_ANNOTATION, Traceroll.AGENT_VERSION);
      if (seen) {
        annotations.put(Traceroll.AGENT_SEEN_ANNOTATION, "2026-12-07T00:00:00Z");
      }
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

  static Workload workload(
      String namespace,
      String name,
      Map<String, String> templateAnnotations,
      Map<String, String> templateLabels) {
    Map<String, String> labels = new HashMap<>(templateLabels);
    labels.put("app", name);
    return new Workload(
        "Deployment",
        namespace,
        name,
        1,
        true,
        new PodView(
            labels,
            templateAnnotations,
            List.of(),
            List.of(new PodView.ContainerView("app", "eclipse-temurin:21-jre"))),
        new LabelSelectorBuilder().addToMatchLabels("app", name).build());
  }

  /**
   * The controller, the webhook and the kubelet catch up: restarted workloads get new pods per
   * their outcome, injected when the injection decision says so of their template.
   */
  void settle() {
    for (Workload w : List.copyOf(workloads.values())) {
      String revision = w.restartedAt();
      if (revision == null
          || pods.get(w.key()).stream()
              .anyMatch(
                  p -> revision.equals(p.annotations().get(Traceroll.RESTARTED_AT_ANNOTATION)))) {
        continue;
      }
      boolean injected =
          InjectionDecision.of(settings, w.template(), w.namespace(), images).injects();
      boolean removing = Traceroll.RESTARTED_FOR_REMOVAL.equals(w.restartedFor());
      String hash = injected && !removing ? currentHash : null;
      Outcome outcome = outcomes.get(w.key());
      PodFacts next =
          switch (outcome) {
            case HEALTHY -> pod(w.name(), hash, revision, true, null);
            case CRASHLOOP_WITH_AGENT ->
                hash == null
                    ? pod(w.name(), null, revision, true, null)
                    : pod(w.name(), hash, revision, false, "app: CrashLoopBackOff");
            case STUCK -> pod(w.name(), hash, revision, false, null);
            case ADMITTED_WITHOUT_AGENT -> pod(w.name(), null, revision, true, null);
            case SILENT -> pod(w.name(), hash, revision, true, null, false);
          };
      pods.put(w.key(), List.of(next));
    }
  }

  @Override
  public InjectedPods injectedPods(String id) {
    Set<String> keys =
        pods.entrySet().stream()
            .filter(
                e ->
                    e.getValue().stream()
                        .anyMatch(p -> !p.gone() && RolloutPlanner.injectedBy(id, p.annotations())))
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet());
    return new InjectedPods(keys, Set.of());
  }

  @Override
  public void probeImages(Workload workload, List<String> images) {
    images.forEach(image -> probeRequests.add(workload.key() + " " + image));
  }

  @Override
  public String admissionProblem(Workload workload, String id, boolean withAgent) {
    // The webhook, as the API server's dry run shows it: the decision with the settings of the
    // status written so far (which the executor's own step may already have moved past).
    boolean injects =
        InjectionDecision.of(settings, workload.template(), workload.namespace(), images).injects();
    if (withAgent != injects) {
      return withAgent ? "the webhook does not add the agent yet" : "the webhook still adds it";
    }
    return withAgent ? admissionProblems.get(workload.key()) : null;
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
        .filter(
            e ->
                e.getValue().stream().anyMatch(p -> RolloutPlanner.injectedBy(id, p.annotations())))
        .map(e -> e.getKey().split("/")[1])
        .collect(Collectors.toSet());
  }

  @Override
  public void restart(Workload w, String revision, String target) {
    restarts.add(w.key());
    restartTargets.add(w.key() + " for " + target);
    Map<String, String> annotations = new HashMap<>(w.template().annotations());
    annotations.put(Traceroll.RESTARTED_AT_ANNOTATION, revision);
    annotations.put(Traceroll.RESTARTED_FOR_ANNOTATION, target);
    PodView template =
        new PodView(
            w.template().labels(),
            annotations,
            w.template().initContainers(),
            w.template().containers());
    workloads.put(
        w.key(),
        new Workload(w.kind(), w.namespace(), w.name(), w.desired(), true, template, w.selector()));
  }
}
