package io.traceroll.policy;

import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.JvmDetectionMode;
import io.traceroll.policy.PodView.ContainerView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a policy injects into a pod, or a workload's pod template, in a namespace it governs, and
 * why not. The one rule: the webhook mutates the pods it says {@link Inject} to, and the rollout
 * restarts only the workloads whose templates it says so of, so the two never disagree.
 */
public sealed interface InjectionDecision {

  /** Inject the policy's settings into these containers (init containers first, by name). */
  record Inject(InjectionSettings settings, List<String> containers) implements InjectionDecision {
    public Inject {
      containers = List.copyOf(containers);
    }

    /**
     * Why each container was chosen, for status: "app (JVM: command: java)", "worker (named)", "api
     * (may run a JVM: nothing in the spec or image name)".
     */
    public String evidence(PodView pod) {
      Set<String> named = namedContainers(pod, settings);
      return containers.stream()
          .map(
              name -> {
                if (named.contains(name)) {
                  return name + " (named)";
                }
                if (settings.detection() == JvmDetectionMode.OFF) {
                  return name + " (detection off)";
                }
                JvmDetection.Evidence e = pod.container(name).map(JvmDetection::of).orElseThrow();
                return name + (e.jvm() ? " (JVM: " : " (may run a JVM: ") + e.source() + ")";
              })
          .collect(Collectors.joining(", "));
    }
  }

  /** Leave the pod alone, and why. */
  record Skip(Reason reason, String message) implements InjectionDecision {}

  /** Why a pod of a governed namespace gets nothing. */
  enum Reason {
    /** The pod does not match the policy's podSelector. */
    POD_SELECTOR,
    /** The pod opted out (annotation or label traceroll.io/inject=false). */
    OPTED_OUT,
    /** The pod has no containers at all. */
    NO_CONTAINERS,
    /** No container is selected: only sidecars, or names that match none. */
    NO_CONTAINER_SELECTED,
    /** No container runs a JVM (detection auto): a database, a proxy, another language. */
    NO_JVM,
    /** Every selected container already starts a tracing agent of its own. */
    AGENT_PRESENT,
    /** The pod belongs to a workload the rollout rolled back from this injection. */
    ROLLED_BACK
  }

  default boolean injects() {
    return this instanceof Inject;
  }

  /**
   * The decision for a pod of a namespace the policy governs (see {@link PolicyPrecedence}).
   * Containers: those the pod annotation or the policy names (init containers too), else every
   * application container; known sidecars and the agent's own init container never.
   */
  static InjectionDecision of(InjectionSettings settings, PodView pod) {
    return of(settings, pod, null);
  }

  /**
   * As {@link #of(InjectionSettings, PodView)}, for a pod of this namespace: one of a workload the
   * rollout rolled back from this injection gets nothing.
   */
  static InjectionDecision of(InjectionSettings settings, PodView pod, String namespace) {
    if ("false".equalsIgnoreCase(pod.annotation(Traceroll.INJECT_ANNOTATION))
        || "false".equalsIgnoreCase(pod.labels().get(Traceroll.INJECT_LABEL))) {
      return new Skip(
          Reason.OPTED_OUT, "pod opted out with " + Traceroll.INJECT_ANNOTATION + "=false");
    }
    var rolledBack = settings.rolledBack().match(namespace, pod.labels());
    if (rolledBack.isPresent()) {
      return new Skip(
          Reason.ROLLED_BACK,
          rolledBack.get().key()
              + " was rolled back from this injection after its instrumented pods failed; a new"
              + " "
              + Traceroll.RETRY_ANNOTATION
              + " value on the policy, or a change of its injection, tries again");
    }
    if (!LabelSelectors.matches(settings.podSelector(), pod.labels())) {
      return new Skip(Reason.POD_SELECTOR, "pod does not match the policy's podSelector");
    }
    if (pod.containers().isEmpty()) {
      return new Skip(Reason.NO_CONTAINERS, "pod has no containers");
    }
    List<String> selected = selected(settings, pod);
    if (selected.isEmpty() && !detected(settings, pod, false).isEmpty()) {
      return new Skip(Reason.NO_JVM, "no container runs a JVM: " + notJvm(pod));
    }
    if (selected.isEmpty()) {
      return new Skip(
          Reason.NO_CONTAINER_SELECTED,
          "no container selected for injection (only sidecars, or no container of the names"
              + " asked for)");
    }
    Map<String, String> ownAgents = new LinkedHashMap<>();
    List<String> chosen = new ArrayList<>();
    for (String name : selected) {
      Optional<String> agent = pod.container(name).flatMap(TracingAgents::of);
      if (agent.isPresent()) {
        ownAgents.put(name, agent.get());
      } else {
        chosen.add(name);
      }
    }
    if (chosen.isEmpty()) {
      return new Skip(
          Reason.AGENT_PRESENT,
          ownAgents.entrySet().stream()
                  .map(e -> e.getKey() + " (-javaagent:" + e.getValue() + ")")
                  .collect(Collectors.joining(", "))
              + " already starts a tracing agent; a second one is never added");
    }
    return new Inject(settings, chosen);
  }

  private static List<String> selected(InjectionSettings settings, PodView pod) {
    Set<String> named = namedContainers(pod, settings);
    List<String> out = new ArrayList<>();
    if (named.isEmpty()) {
      return detected(settings, pod, true);
    }
    for (List<ContainerView> list : List.of(pod.initContainers(), pod.containers())) {
      for (ContainerView c : list) {
        if (named.contains(c.name())
            && !c.name().startsWith(Naming.AGENT_INIT_CONTAINER)
            && !Sidecars.isSidecar(c)) {
          out.add(c.name());
        }
      }
    }
    return out;
  }

  /**
   * The application containers (no sidecars) that do ({@code jvm}) or do not run a JVM as far as
   * the detection tells; with detection off every one of them counts as a JVM.
   */
  private static List<String> detected(InjectionSettings settings, PodView pod, boolean jvm) {
    return pod.containers().stream()
        .filter(c -> !Sidecars.isSidecar(c))
        .filter(
            c ->
                jvm
                    == (settings.detection() == JvmDetectionMode.OFF
                        || JvmDetection.of(c).verdict() != JvmDetection.Verdict.NOT_JVM))
        .map(ContainerView::name)
        .toList();
  }

  private static String notJvm(PodView pod) {
    return pod.containers().stream()
        .filter(c -> !Sidecars.isSidecar(c))
        .map(c -> c.name() + " (" + JvmDetection.of(c).source() + ")")
        .collect(Collectors.joining(", "));
  }

  /** The pod annotation's container names, else the policy's (empty: all app containers). */
  private static Set<String> namedContainers(PodView pod, InjectionSettings settings) {
    String annotation = pod.annotation(Traceroll.CONTAINER_NAMES_ANNOTATION);
    if (annotation != null && !annotation.isBlank()) {
      return Arrays.stream(annotation.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
    }
    return Set.copyOf(settings.containerNames());
  }
}
