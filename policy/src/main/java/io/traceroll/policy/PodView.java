package io.traceroll.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a pod, or of a workload's pod template, that the injection decision reads. The
 * webhook builds it from the pod JSON it is sent, the rollout from a workload's template, so both
 * ask {@link InjectionDecision} the same question.
 */
public record PodView(
    Map<String, String> labels,
    Map<String, String> annotations,
    List<ContainerView> initContainers,
    List<ContainerView> containers) {

  /**
   * A container: its name and image, its command and arguments in order, and its environment
   * (values set through valueFrom read as empty).
   */
  public record ContainerView(
      String name, String image, List<String> command, Map<String, String> env) {
    public ContainerView {
      command = List.copyOf(command);
      env = Map.copyOf(env);
    }

    public ContainerView(String name, String image) {
      this(name, image, List.of(), Map.of());
    }
  }

  public PodView {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    initContainers = List.copyOf(initContainers);
    containers = List.copyOf(containers);
  }

  /** From a pod's (or template's) JSON: {@code metadata} and {@code spec}. */
  public static PodView of(JsonNode pod) {
    JsonNode meta = pod.path("metadata");
    return new PodView(
        strings(meta.path("labels")),
        strings(meta.path("annotations")),
        containers(pod.path("spec").path("initContainers")),
        containers(pod.path("spec").path("containers")));
  }

  /** From a workload's pod template. */
  public static PodView of(PodTemplateSpec template) {
    var meta = template.getMetadata();
    var spec = template.getSpec();
    return new PodView(
        meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels(),
        meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations(),
        spec == null ? List.of() : containers(spec.getInitContainers()),
        spec == null ? List.of() : containers(spec.getContainers()));
  }

  /** The value of an annotation, or null. */
  public String annotation(String key) {
    return annotations.get(key);
  }

  /** The init or application container of this name. */
  public Optional<ContainerView> container(String name) {
    for (List<ContainerView> list : List.of(initContainers, containers)) {
      for (ContainerView c : list) {
        if (c.name().equals(name)) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> out = new HashMap<>();
    object
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
              }
            });
    return out;
  }

  private static List<ContainerView> containers(JsonNode list) {
    List<ContainerView> out = new ArrayList<>();
    for (JsonNode c : list) {
      List<String> command = new ArrayList<>();
      for (String field : List.of("command", "args")) {
        c.path(field).forEach(t -> command.add(t.asText()));
      }
      Map<String, String> env = new HashMap<>();
      for (JsonNode e : c.path("env")) {
        if (e.hasNonNull("name")) {
          env.put(e.get("name").asText(), e.path("value").asText(""));
        }
      }
      out.add(
          new ContainerView(c.path("name").asText(), c.path("image").asText(null), command, env));
    }
    return out;
  }

  private static List<ContainerView> containers(List<Container> list) {
    if (list == null) {
      return List.of();
    }
    List<ContainerView> out = new ArrayList<>();
    for (Container c : list) {
      List<String> command = new ArrayList<>();
      if (c.getCommand() != null) {
        command.addAll(c.getCommand());
      }
      if (c.getArgs() != null) {
        command.addAll(c.getArgs());
      }
      Map<String, String> env = new HashMap<>();
      if (c.getEnv() != null) {
        c.getEnv()
            .forEach(
                e -> {
                  if (e.getName() != null) {
                    env.put(e.getName(), e.getValue() == null ? "" : e.getValue());
                  }
                });
      }
      out.add(new ContainerView(c.getName(), c.getImage(), command, env));
    }
    return out;
  }
}
