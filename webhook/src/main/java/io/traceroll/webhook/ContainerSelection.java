package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.Traceroll;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which containers of a pod get the agent: those the pod annotation or the policy names (init
 * containers included), else every application container; known sidecars never.
 */
final class ContainerSelection {
  /** A container by its list ("containers" or "initContainers") and index. */
  record Target(String field, int index) {}

  private ContainerSelection() {}

  static List<Target> select(JsonNode pod, InjectionSettings settings) {
    Set<String> named = namedContainers(pod, settings);
    List<Target> targets = new ArrayList<>();
    JsonNode spec = pod.path("spec");
    if (!named.isEmpty()) {
      addNamed(spec, "initContainers", named, targets);
      addNamed(spec, "containers", named, targets);
      return targets;
    }
    JsonNode containers = spec.path("containers");
    for (int i = 0; i < containers.size(); i++) {
      JsonNode c = containers.get(i);
      if (!Sidecars.isSidecar(c.path("name").asText(), c.path("image").asText(null))) {
        targets.add(new Target("containers", i));
      }
    }
    return targets;
  }

  private static Set<String> namedContainers(JsonNode pod, InjectionSettings settings) {
    JsonNode annotation =
        pod.path("metadata").path("annotations").path(Traceroll.CONTAINER_NAMES_ANNOTATION);
    if (annotation.isTextual() && !annotation.asText().isBlank()) {
      return Arrays.stream(annotation.asText().split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .collect(Collectors.toSet());
    }
    return Set.copyOf(settings.containerNames());
  }

  private static void addNamed(JsonNode spec, String field, Set<String> named, List<Target> out) {
    JsonNode list = spec.path(field);
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String name = c.path("name").asText();
      if (named.contains(name)
          && !name.startsWith(PodMutator.INIT_CONTAINER)
          && !Sidecars.isSidecar(name, c.path("image").asText(null))) {
        out.add(new Target(field, i));
      }
    }
  }
}
