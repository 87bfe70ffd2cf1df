package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import java.util.ArrayList;
import java.util.List;

/**
 * The init container that copies the agent into the shared volume. Its security context meets the
 * restricted Pod Security Standard, so injection works in locked-down namespaces.
 */
final class AgentInitContainer {
  static final long NON_ROOT_UID = 65532L;

  private AgentInitContainer() {}

  static ObjectNode build(String volume, JsonNode podSpec, InjectionSettings settings) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode init = nodes.objectNode();
    init.put("name", uniqueName(podSpec));
    init.put("image", settings.agentImage());
    init.put("imagePullPolicy", "IfNotPresent");
    init.putArray("command")
        .add("cp")
        .add(PodMutator.IMAGE_AGENT_PATH)
        .add(PodMutator.MOUNT_PATH + "/" + PodMutator.AGENT_FILE);
    init.putArray("volumeMounts")
        .addObject()
        .put("name", volume)
        .put("mountPath", PodMutator.MOUNT_PATH);
    if (settings.initResources() != null) {
      init.set("resources", settings.initResources().deepCopy());
    } else {
      ObjectNode resources = init.putObject("resources");
      resources.putObject("requests").put("cpu", "10m").put("memory", "32Mi");
      resources.putObject("limits").put("cpu", "500m").put("memory", "128Mi");
    }
    ObjectNode security = init.putObject("securityContext");
    security.put("runAsNonRoot", true);
    security.put("runAsUser", NON_ROOT_UID);
    security.put("allowPrivilegeEscalation", false);
    security.put("readOnlyRootFilesystem", true);
    security.putObject("capabilities").putArray("drop").add("ALL");
    security.putObject("seccompProfile").put("type", "RuntimeDefault");
    return init;
  }

  private static String uniqueName(JsonNode podSpec) {
    List<String> used = new ArrayList<>();
    podSpec.path("initContainers").forEach(c -> used.add(c.path("name").asText()));
    podSpec.path("containers").forEach(c -> used.add(c.path("name").asText()));
    return PodMutator.unique(Naming.AGENT_INIT_CONTAINER, used);
  }
}
