package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.Naming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The init container that copies the agent into the shared volume, shaped after the application
 * container it serves so that the pod passes whatever the original passed:
 *
 * <ul>
 *   <li>Resources: the app container's CPU, memory and ephemeral-storage requests and limits (as
 *       the API server saw them, LimitRange defaults included). The copy meets every per-container
 *       LimitRange bound the app container meets, and a pod's effective request, the larger of its
 *       largest init container and the sum of its app containers, does not grow: quota use stays
 *       the same. A policy's own {@code java.initResources} wins.
 *   <li>Security: the app container's security context, with what it leaves open closed (no
 *       privilege escalation, all capabilities dropped, the runtime's seccomp profile, a read-only
 *       root). The user is the container's or the pod's own; else, on OpenShift, the first UID of
 *       the namespace's range (the restricted SCC refuses any other); else 65532.
 * </ul>
 */
final class AgentInitContainer {
  static final long NON_ROOT_UID = 65532L;

  /** The annotation holding an OpenShift namespace's UID range, e.g. 1000680000/10000. */
  static final String OPENSHIFT_UID_RANGE = "openshift.io/sa.scc.uid-range";

  private static final List<String> COPIED_RESOURCES =
      List.of("cpu", "memory", "ephemeral-storage");

  private AgentInitContainer() {}

  static ObjectNode build(
      String volume,
      JsonNode podSpec,
      InjectionSettings settings,
      JsonNode app,
      OptionalLong namespaceUid) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode init = nodes.objectNode();
    init.put("name", uniqueName(podSpec));
    init.put("image", settings.agentImage());
    init.put("imagePullPolicy", "IfNotPresent");
    init.putArray("command")
        .add("cp")
        .add(PodMutator.IMAGE_AGENT_PATH)
        .add(PodMutator.MOUNT_PATH + "/" + PodMutator.AGENT_FILE);
    var mounts = init.putArray("volumeMounts");
    mounts.addObject().put("name", volume).put("mountPath", PodMutator.MOUNT_PATH);
    serviceAccountMount(podSpec).ifPresent(mounts::add);
    ObjectNode resources =
        settings.initResources() != null
            ? (ObjectNode) settings.initResources().deepCopy()
            : resourcesOf(app);
    if (!resources.isEmpty()) {
      init.set("resources", resources);
    }
    init.set("securityContext", securityContext(podSpec, app, namespaceUid));
    return init;
  }

  /** Where the ServiceAccount admission plugin mounts the pod's API token in every container. */
  static final String TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

  /**
   * The API token mount the ServiceAccount admission plugin gave the pod's containers, if it did.
   * The init container gets it too: the plugin runs again after the webhook changed the pod and
   * would add it then, and that change would make the API server call the webhook a second time
   * (reinvocationPolicy IfNeeded) for nothing. With it in place, one call per pod.
   */
  static Optional<ObjectNode> serviceAccountMount(JsonNode podSpec) {
    for (String field : List.of("containers", "initContainers")) {
      for (JsonNode c : podSpec.path(field)) {
        for (JsonNode m : c.path("volumeMounts")) {
          if (TOKEN_MOUNT_PATH.equals(m.path("mountPath").asText())) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            copy.put("name", m.path("name").asText());
            copy.put("readOnly", true);
            copy.put("mountPath", TOKEN_MOUNT_PATH);
            return Optional.of(copy);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static ObjectNode resourcesOf(JsonNode app) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (String kind : List.of("requests", "limits")) {
      JsonNode from = app.path("resources").path(kind);
      ObjectNode to = JsonNodeFactory.instance.objectNode();
      for (String resource : COPIED_RESOURCES) {
        if (from.hasNonNull(resource)) {
          to.set(resource, from.get(resource).deepCopy());
        }
      }
      if (!to.isEmpty()) {
        out.set(kind, to);
      }
    }
    return out;
  }

  private static ObjectNode securityContext(
      JsonNode podSpec, JsonNode app, OptionalLong namespaceUid) {
    JsonNode own = app.path("securityContext");
    ObjectNode security =
        own.isObject() ? ((ObjectNode) own).deepCopy() : JsonNodeFactory.instance.objectNode();
    JsonNode pod = podSpec.path("securityContext");
    if (!security.has("runAsUser") && !pod.has("runAsUser")) {
      security.put("runAsUser", namespaceUid.orElse(NON_ROOT_UID));
    }
    if (!security.has("runAsNonRoot") && !pod.has("runAsNonRoot")) {
      security.put("runAsNonRoot", true);
    }
    if (!security.has("allowPrivilegeEscalation")) {
      security.put("allowPrivilegeEscalation", false);
    }
    if (!security.has("readOnlyRootFilesystem")) {
      security.put("readOnlyRootFilesystem", true);
    }
    if (!security.path("capabilities").has("drop")) {
      ObjectNode capabilities =
          security.path("capabilities").isObject()
              ? (ObjectNode) security.get("capabilities")
              : security.putObject("capabilities");
      capabilities.putArray("drop").add("ALL");
    }
    if (!security.has("seccompProfile") && !pod.has("seccompProfile")) {
      security.putObject("seccompProfile").put("type", "RuntimeDefault");
    }
    return security;
  }

  /** The first UID of an OpenShift namespace's range, if its annotation names one. */
  static OptionalLong openShiftUid(Map<String, String> namespaceAnnotations) {
    String range =
        namespaceAnnotations == null ? null : namespaceAnnotations.get(OPENSHIFT_UID_RANGE);
    if (range == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(range.split("/", 2)[0].trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static String uniqueName(JsonNode podSpec) {
    List<String> used = new ArrayList<>();
    podSpec.path("initContainers").forEach(c -> used.add(c.path("name").asText()));
    podSpec.path("containers").forEach(c -> used.add(c.path("name").asText()));
    return PodMutator.unique(Naming.AGENT_INIT_CONTAINER, used);
  }
}
