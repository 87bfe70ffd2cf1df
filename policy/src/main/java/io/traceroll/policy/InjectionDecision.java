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

  /**
   * Inject the policy's settings into these containers (init containers first, by name); the image
   * verdicts the choice read, for {@link #evidence}.
   */
  record Inject(InjectionSettings settings, List<String> containers, ImageVerdicts images)
      implements InjectionDecision {
    public Inject {
      containers = List.copyOf(containers);
    }

    public Inject(InjectionSettings settings, List<String> containers) {
      this(settings, containers, ImageVerdicts.NONE);
    }

    /**
     * Why each container was chosen, for status: "app (JVM: command: java)", "worker (named)", "api
     * (JVM: image probe: ...)".
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
                JvmDetection.Evidence e =
                    pod.container(name).map(c -> JvmDetection.of(c, images)).orElseThrow();
                return name + " (JVM: " + e.source() + ")";
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
    /**
     * No container is known to run a JVM (detection auto) and some may: their images wait for the
     * image probe, or it could not tell.
     */
    IMAGE_UNKNOWN,
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
   * Containers: those the pod annotation or the policy names (init containers too), else the
   * application containers known to run a JVM (every one with detection off); known sidecars and
   * the agent's own init container never.
   */
  static InjectionDecision of(InjectionSettings settings, PodView pod) {
    return of(settings, pod, null, ImageVerdicts.NONE);
  }

  /**
   * As {@link #of(InjectionSettings, PodView)}, for a pod of this namespace, with what the image
   * probe learned: one of a workload the rollout rolled back from this injection gets nothing.
   */
  static InjectionDecision of(
      InjectionSettings settings, PodView pod, String namespace, ImageVerdicts images) {
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
    Set<String> named = namedContainers(pod, settings);
    List<String> selected = named.isEmpty() ? detected(settings, pod, images) : named(named, pod);
    if (selected.isEmpty() && named.isEmpty() && settings.detection() == JvmDetectionMode.AUTO) {
      Map<String, JvmDetection.Evidence> apps = new LinkedHashMap<>();
      pod.containers().stream()
          .filter(c -> !Sidecars.isSidecar(c))
          .forEach(c -> apps.put(c.name(), JvmDetection.of(c, images)));
      if (!apps.isEmpty()) {
        String judged =
            apps.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue().source() + ")")
                .collect(Collectors.joining(", "));
        return apps.values().stream().anyMatch(e -> e.verdict() == JvmDetection.Verdict.UNKNOWN)
            ? new Skip(Reason.IMAGE_UNKNOWN, "no container is known to run a JVM: " + judged)
            : new Skip(Reason.NO_JVM, "no container runs a JVM: " + judged);
      }
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
      Optional<String> agent = pod.container(name).flatMap(c -> ownAgent(c, images));
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
    return new Inject(settings, chosen, images);
  }

  /**
   * The tracing agent a container starts by itself: from its spec, else (when its spec leaves the
   * image's JAVA_TOOL_OPTIONS in place) from that variable as the image probe saw it.
   */
  private static Optional<String> ownAgent(ContainerView c, ImageVerdicts images) {
    Optional<String> fromSpec = TracingAgents.of(c);
    if (fromSpec.isPresent() || c.env().containsKey("JAVA_TOOL_OPTIONS")) {
      return fromSpec;
    }
    return images.lookup(c.image()).map(ImageVerdicts.Entry::agent);
  }

  /** The named containers (init containers too) but the agent's own and known sidecars. */
  private static List<String> named(Set<String> named, PodView pod) {
    List<String> out = new ArrayList<>();
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
   * The application containers (no sidecars) known to run a JVM, from their spec or a probe of
   * their image; with detection off, every one of them.
   */
  private static List<String> detected(
      InjectionSettings settings, PodView pod, ImageVerdicts images) {
    return pod.containers().stream()
        .filter(c -> !Sidecars.isSidecar(c))
        .filter(
            c -> settings.detection() == JvmDetectionMode.OFF || JvmDetection.of(c, images).jvm())
        .map(ContainerView::name)
        .toList();
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
