package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.InjectionMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a pod and a policy's injection settings into the JSON patch that adds the OpenTelemetry
 * Java agent. Pure: no I/O, works on the pod's JSON so fields unknown to any model survive.
 * Idempotent: a pod it already mutated yields an empty patch.
 */
public final class PodMutator {
  public static final String VOLUME = "traceroll-agent";
  public static final String INIT_CONTAINER = "traceroll-agent-init";
  public static final String MOUNT_PATH = "/traceroll/agent";
  public static final String AGENT_FILE = "javaagent.jar";

  /** Where the autoinstrumentation-java image keeps the agent. */
  public static final String IMAGE_AGENT_PATH = "/javaagent.jar";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The outcome: a patch (empty when nothing is to change) and warnings for the user. */
  public record Result(ArrayNode patch, List<String> warnings, String skipReason) {
    public boolean changed() {
      return !patch.isEmpty();
    }
  }

  public Result mutate(JsonNode pod, String namespace, InjectionSettings settings) {
    List<String> warnings = new ArrayList<>();
    JsonNode annotations = pod.path("metadata").path("annotations");
    if ("false".equalsIgnoreCase(annotations.path(Traceroll.INJECT_ANNOTATION).asText())) {
      return skipped("pod opted out with " + Traceroll.INJECT_ANNOTATION + "=false");
    }
    if (!pod.path("spec").path("containers").isArray()) {
      return skipped("pod has no containers");
    }
    PatchRecorder patch = new PatchRecorder((ObjectNode) pod.deepCopy());
    if (ContainerSelection.select(patch.document(), settings).isEmpty()) {
      return skipped("no container selected for injection");
    }
    ObjectNode spec = (ObjectNode) patch.document().get("spec");
    String volume = agentVolume(patch, settings);
    // Selected again: adding our init container shifted the indices of the others.
    List<ContainerSelection.Target> targets = ContainerSelection.select(patch.document(), settings);
    ServiceIdentity identity = ServiceIdentity.of(patch.document());
    boolean injectedAny = false;
    for (ContainerSelection.Target target : targets) {
      ObjectNode container = (ObjectNode) spec.get(target.field()).get(target.index());
      if (ContainerEnv.mountsVolume(container, volume)) {
        continue;
      }
      String path = "/spec/" + target.field() + "/" + target.index();
      String mountPath = freeMountPath(container);
      ObjectNode mount = NODES.objectNode();
      mount.put("name", volume);
      mount.put("mountPath", mountPath);
      mount.put("readOnly", true);
      patch.append(path, "volumeMounts", mount);
      new ContainerEnv(patch, path, warnings)
          .inject(namespace, settings, identity, mountPath + "/" + AGENT_FILE);
      injectedAny = true;
    }
    if (injectedAny || annotations.has(Traceroll.INJECTED_ANNOTATION)) {
      patch.object("", "metadata");
      patch.object("/metadata", "annotations");
      setIfDifferent(
          patch, Traceroll.INJECTED_ANNOTATION, settings.policyId() + "@" + settings.generation());
      setIfDifferent(patch, Traceroll.AGENT_VERSION_ANNOTATION, Traceroll.AGENT_VERSION);
      setIfDifferent(patch, Traceroll.INJECTION_HASH_ANNOTATION, settings.injectionHash());
    }
    return new Result(patch.operations(), warnings, null);
  }

  private static Result skipped(String reason) {
    return new Result(NODES.arrayNode(), List.of(), reason);
  }

  private static void setIfDifferent(PatchRecorder patch, String key, String value) {
    JsonNode current = patch.document().at("/metadata/annotations").get(key);
    if (current == null || !value.equals(current.asText())) {
      patch.set("/metadata/annotations", key, NODES.textNode(value));
    }
  }

  /**
   * Finds our agent volume or adds it (with the init container that fills it). A user volume that
   * happens to carry our name is left alone and ours gets a suffix.
   */
  private static String agentVolume(PatchRecorder patch, InjectionSettings settings) {
    ObjectNode spec = (ObjectNode) patch.document().get("spec");
    List<String> used = new ArrayList<>();
    for (JsonNode v : spec.path("volumes")) {
      String name = v.path("name").asText();
      used.add(name);
      if (name.startsWith(VOLUME) && isOurs(spec, v, settings)) {
        return name;
      }
    }
    String name = VOLUME;
    for (int i = 2; used.contains(name); i++) {
      name = VOLUME + "-" + i;
    }
    ObjectNode volume = NODES.objectNode().put("name", name);
    if (settings.mode() == InjectionMode.IMAGE_VOLUME) {
      volume
          .putObject("image")
          .put("reference", settings.agentImage())
          .put("pullPolicy", "IfNotPresent");
    } else {
      volume.putObject("emptyDir");
      patch.insert("/spec", "initContainers", 0, AgentInitContainer.build(name, spec, settings));
    }
    patch.append("/spec", "volumes", volume);
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
      if (init.path("name").asText().startsWith(INIT_CONTAINER)
          && ContainerEnv.mountsVolume(init, name)) {
        return true;
      }
    }
    return false;
  }

  private static String freeMountPath(JsonNode container) {
    List<String> used = new ArrayList<>();
    container.path("volumeMounts").forEach(m -> used.add(m.path("mountPath").asText()));
    String path = MOUNT_PATH;
    for (int i = 2; used.contains(path); i++) {
      path = MOUNT_PATH + "-" + i;
    }
    return path;
  }
}
