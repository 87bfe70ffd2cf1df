package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Adds the OpenTelemetry Java agent to the containers an {@link InjectionDecision} names: edits a
 * copy of the pod's JSON (so fields unknown to any model survive) and answers with the JSON patch
 * between the two. Pure: no I/O. Idempotent: a pod it already mutated yields an empty patch.
 */
public final class PodMutator {
  public static final String MOUNT_PATH = Naming.AGENT_MOUNT_PATH;
  public static final String AGENT_FILE = "javaagent.jar";

  /** Where the autoinstrumentation-java image keeps the agent. */
  public static final String IMAGE_AGENT_PATH = "/javaagent.jar";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The outcome: a patch (empty when nothing is to change) and warnings for the user. */
  public record Result(ArrayNode patch, List<String> warnings) {
    public boolean changed() {
      return !patch.isEmpty();
    }
  }

  /** Size limit of the agent's emptyDir: the agent jar is about 25 MB, vendor builds up to ~40. */
  public static final String AGENT_VOLUME_SIZE_LIMIT = "128Mi";

  public Result mutate(JsonNode pod, String namespace, InjectionDecision.Inject decision) {
    return mutate(pod, namespace, OptionalLong.empty(), decision);
  }

  /**
   * @param namespaceUid the first UID of the namespace's OpenShift range, if it has one (see {@link
   *     AgentInitContainer})
   */
  public Result mutate(
      JsonNode pod,
      String namespace,
      OptionalLong namespaceUid,
      InjectionDecision.Inject decision) {
    InjectionSettings settings = decision.settings();
    List<String> warnings = new ArrayList<>();
    ObjectNode copy = pod.deepCopy();
    ObjectNode spec = (ObjectNode) copy.get("spec");
    List<ObjectNode> injected = containers(spec, decision.containers());
    // The init container is shaped after the first app container it serves.
    JsonNode model =
        injected.stream()
            .filter(c -> !isInitContainer(spec, c))
            .findFirst()
            .map(JsonNode.class::cast)
            .orElse(injected.isEmpty() ? NODES.objectNode() : injected.get(0));
    String volume = agentVolume(spec, settings, model, namespaceUid);
    ServiceIdentity identity = ServiceIdentity.of(copy);
    boolean injectedAny = false;
    for (ObjectNode container : injected) {
      if (ContainerEnv.mountsVolume(container, volume)) {
        continue;
      }
      String mountPath = freeMountPath(container);
      array(container, "volumeMounts")
          .addObject()
          .put("name", volume)
          .put("mountPath", mountPath)
          .put("readOnly", true);
      new ContainerEnv(container, warnings)
          .inject(copy, namespace, settings, identity, mountPath + "/" + AGENT_FILE);
      injectedAny = true;
    }
    if (injectedAny
        || pod.path("metadata").path("annotations").has(Traceroll.INJECTED_ANNOTATION)) {
      ObjectNode annotations = object(object(copy, "metadata"), "annotations");
      annotations.put(
          Traceroll.INJECTED_ANNOTATION, settings.policyId() + "@" + settings.generation());
      annotations.put(Traceroll.AGENT_VERSION_ANNOTATION, Traceroll.AGENT_VERSION);
      annotations.put(Traceroll.INJECTION_HASH_ANNOTATION, settings.injectionHash());
    }
    if (injectedAny) {
      object(object(copy, "metadata"), "labels")
          .put(Traceroll.AGENT_LABEL, Traceroll.AGENT_PENDING);
    }
    return new Result(JsonPatchDiff.between(pod, copy), warnings);
  }

  private static boolean isInitContainer(ObjectNode spec, JsonNode container) {
    for (JsonNode c : spec.path("initContainers")) {
      if (c == container) {
        return true;
      }
    }
    return false;
  }

  /** The named containers, init containers first, as they stand in the copy. */
  private static List<ObjectNode> containers(ObjectNode spec, List<String> names) {
    List<ObjectNode> out = new ArrayList<>();
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode c : spec.path(field)) {
        if (names.contains(c.path("name").asText())) {
          out.add((ObjectNode) c);
        }
      }
    }
    return out;
  }

  /**
   * Finds our agent volume or adds it (with the init container that fills it). A user volume that
   * happens to carry our name is left alone and ours gets a suffix.
   */
  private static String agentVolume(
      ObjectNode spec, InjectionSettings settings, JsonNode model, OptionalLong namespaceUid) {
    List<String> used = new ArrayList<>();
    for (JsonNode v : spec.path("volumes")) {
      String name = v.path("name").asText();
      used.add(name);
      if (name.startsWith(Naming.AGENT_VOLUME) && isOurs(spec, v, settings)) {
        return name;
      }
    }
    String name = unique(Naming.AGENT_VOLUME, used);
    ObjectNode volume = NODES.objectNode().put("name", name);
    if (settings.mode() == InjectionMode.IMAGE_VOLUME) {
      volume
          .putObject("image")
          .put("reference", settings.agentImage())
          .put("pullPolicy", "IfNotPresent");
    } else {
      volume.putObject("emptyDir").put("sizeLimit", AGENT_VOLUME_SIZE_LIMIT);
      array(spec, "initContainers")
          .insert(0, AgentInitContainer.build(name, spec, settings, model, namespaceUid));
    }
    array(spec, "volumes").add(volume);
    return name;
  }

  private static boolean isOurs(JsonNode spec, JsonNode volume, InjectionSettings settings) {
    String name = volume.path("name").asText();
    if (volume.has("image")) {
      return settings.agentImage().equals(volume.path("image").path("reference").asText());
    }
    if (!volume.has("emptyDir")) {
      return false;
    }
    for (JsonNode init : spec.path("initContainers")) {
      if (init.path("name").asText().startsWith(Naming.AGENT_INIT_CONTAINER)
          && ContainerEnv.mountsVolume(init, name)) {
        return true;
      }
    }
    return false;
  }

  private static String freeMountPath(JsonNode container) {
    List<String> used = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> used.add(m.path("mountPath").asText()));
    return unique(MOUNT_PATH, used);
  }

  /** The base, else the base with the first free suffix -2, -3, ... */
  static String unique(String base, List<String> used) {
    String name = base;
    for (int i = 2; used.contains(name); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  private static ArrayNode array(ObjectNode parent, String field) {
    JsonNode existing = parent.get(field);
    return existing instanceof ArrayNode a ? a : parent.putArray(field);
  }

  private static ObjectNode object(ObjectNode parent, String field) {
    JsonNode existing = parent.get(field);
    return existing instanceof ObjectNode o ? o : parent.putObject(field);
  }
}
