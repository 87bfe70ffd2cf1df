package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.RemoteSampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The environment of one instrumented container: the agent's {@code -javaagent} and the OTEL_*
 * settings, each added only where the user has not set it. Edits the container in place (the
 * mutator's copy of the pod).
 *
 * <p>The agent joins JAVA_TOOL_OPTIONS when the container's env sets it (composed with the user's
 * value, which is then the one the JVM sees). Otherwise the JVM's JAVA_TOOL_OPTIONS, if any, comes
 * from where admission cannot look (the image's environment, an envFrom ConfigMap or Secret), and
 * setting it here would replace it: heap caps, trust stores and flags would be lost. The agent then
 * goes into _JAVA_OPTIONS, which HotSpot JVMs (JDK 8 and later, every launcher) read in addition to
 * JAVA_TOOL_OPTIONS. A JVM that reads neither never loads the agent, which the rollout's health
 * gate reports as "injected but silent" rather than the app losing its options.
 */
final class ContainerEnv {
  static final String POD_NAME_VAR = "TRACEROLL_POD_NAME";

  static final String NODE_NAME_VAR = "TRACEROLL_NODE_NAME";

  /** A user's JAVA_TOOL_OPTIONS from valueFrom moves here and is composed into ours. */
  static final String USER_JAVA_TOOL_OPTIONS = "TRACEROLL_USER_JAVA_TOOL_OPTIONS";

  /** HotSpot's other options variable: the agent's place when JAVA_TOOL_OPTIONS is not in env. */
  static final String JAVA_OPTIONS = "_JAVA_OPTIONS";

  /** A user's _JAVA_OPTIONS from valueFrom moves here and is composed into ours. */
  static final String USER_JAVA_OPTIONS = "TRACEROLL_USER__JAVA_OPTIONS";

  static final String USER_RESOURCE_ATTRIBUTES = "TRACEROLL_USER_OTEL_RESOURCE_ATTRIBUTES";
  static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";
  static final String RESOURCE_ATTRIBUTES = "OTEL_RESOURCE_ATTRIBUTES";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ObjectNode container;
  private final List<String> warnings;

  ContainerEnv(ObjectNode container, List<String> warnings) {
    this.container = container;
    this.warnings = warnings;
  }

  static boolean mountsVolume(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (volume.equals(m.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  void inject(
      JsonNode pod,
      String namespace,
      InjectionSettings settings,
      ServiceIdentity identity,
      String agentPath) {
    // Downward-API helpers go first: later variables refer to them with $(VAR).
    addFieldRefAt(0, POD_NAME_VAR, "metadata.name");
    addFieldRefAt(1, NODE_NAME_VAR, "spec.nodeName");
    String agentOption = "-javaagent:" + agentPath;
    if (index(JAVA_TOOL_OPTIONS) >= 0) {
      composeOption(JAVA_TOOL_OPTIONS, USER_JAVA_TOOL_OPTIONS, agentOption);
    } else {
      composeOption(JAVA_OPTIONS, USER_JAVA_OPTIONS, agentOption);
    }

    String name = container.path("name").asText();
    String image = container.path("image").asText(null);
    addIfAbsent("OTEL_SERVICE_NAME", identity.serviceName(pod, name));
    // An endpoint the user chose gets neither our protocol nor our credentials.
    boolean userEndpoint = index("OTEL_EXPORTER_OTLP_ENDPOINT") >= 0;
    addIfAbsent("OTEL_EXPORTER_OTLP_ENDPOINT", settings.otlpEndpoint());
    if (!userEndpoint) {
      addIfAbsent("OTEL_EXPORTER_OTLP_PROTOCOL", settings.otlpProtocol());
    }
    if (!userEndpoint
        && settings.headersSecretName() != null
        && index("OTEL_EXPORTER_OTLP_HEADERS") < 0) {
      ObjectNode headers = env().addObject().put("name", "OTEL_EXPORTER_OTLP_HEADERS");
      headers
          .putObject("valueFrom")
          .putObject("secretKeyRef")
          .put("name", settings.headersSecretName())
          .put("key", "headers")
          .put("optional", true);
    }
    // A sampler the user chose keeps its own argument.
    if (index(RemoteSampler.SAMPLER_VAR) < 0) {
      settings.sampler().env().forEach(this::addIfAbsent);
    }
    addIfAbsent("OTEL_PROPAGATORS", String.join(",", settings.propagators()));
    resourceAttributes(ResourceAttributes.of(namespace, name, image, identity, settings));
    for (JsonNode extra : settings.extraEnv()) {
      if (index(extra.path("name").asText()) < 0) {
        env().add(extra.deepCopy());
      }
    }
  }

  /** Adds the agent option to the variable, composed with the user's value of it. */
  private void composeOption(String variable, String userAside, String agentOption) {
    int i = index(variable);
    if (i < 0) {
      addIfAbsent(variable, agentOption);
      return;
    }
    ObjectNode existing = (ObjectNode) env().get(i);
    if (existing.has("valueFrom")) {
      moveAside(i, userAside);
      insertAfter(i, variable, "$(" + userAside + ") " + agentOption);
      warnings.add(
          variable
              + " of container "
              + container.path("name").asText()
              + " comes from valueFrom; it is now "
              + userAside
              + " and "
              + variable
              + " composes it with the agent");
      return;
    }
    String value = existing.path("value").asText("");
    if (!value.contains(agentOption)) {
      existing.put("value", value.isBlank() ? agentOption : value + " " + agentOption);
    }
  }

  /** Our attributes first, then the user's: on a duplicate key the user's value wins. */
  private void resourceAttributes(Map<String, String> ours) {
    int i = index(RESOURCE_ATTRIBUTES);
    if (i < 0) {
      addIfAbsent(RESOURCE_ATTRIBUTES, ResourceAttributes.format(ours));
      return;
    }
    ObjectNode existing = (ObjectNode) env().get(i);
    if (existing.has("valueFrom")) {
      moveAside(i, USER_RESOURCE_ATTRIBUTES);
      insertAfter(
          i,
          RESOURCE_ATTRIBUTES,
          ResourceAttributes.format(ours) + ",$(" + USER_RESOURCE_ATTRIBUTES + ")");
      return;
    }
    String userValue = existing.path("value").asText("");
    Map<String, String> missing = new LinkedHashMap<>(ours);
    ResourceAttributes.keys(userValue).forEach(missing::remove);
    if (missing.isEmpty()) {
      return;
    }
    existing.put(
        "value",
        userValue.isBlank()
            ? ResourceAttributes.format(missing)
            : ResourceAttributes.format(missing) + "," + userValue);
  }

  /** Renames the user's entry (keeping its valueFrom) so ours can compose it with $(VAR). */
  private void moveAside(int index, String newName) {
    if (index(newName) < 0) {
      ((ObjectNode) env().get(index)).put("name", newName);
    }
  }

  /**
   * Puts a downward-API helper at its fixed place among the first entries, where every later $(VAR)
   * can see it. TRACEROLL_* names are ours: an entry of that name defined otherwise, or placed
   * later (an injected spec copied into a template), is replaced.
   */
  private void addFieldRefAt(int position, String name, String fieldPath) {
    ObjectNode var = NODES.objectNode().put("name", name);
    var.putObject("valueFrom").putObject("fieldRef").put("fieldPath", fieldPath);
    int i = index(name);
    if (i == position && env().get(i).equals(var)) {
      return;
    }
    if (i >= 0) {
      env().remove(i);
    }
    env().insert(Math.min(position, env().size()), var);
  }

  /**
   * Puts our composed variable right after the user's renamed one, so user variables defined later
   * that refer to it with $(NAME) still see it.
   */
  private void insertAfter(int index, String name, String value) {
    if (index(name) < 0) {
      env().insert(index + 1, NODES.objectNode().put("name", name).put("value", value));
    }
  }

  private void addIfAbsent(String name, String value) {
    if (value != null && index(name) < 0) {
      env().addObject().put("name", name).put("value", value);
    }
  }

  /** The container's env list, created empty when it has none. */
  private ArrayNode env() {
    JsonNode env = container.get("env");
    return env instanceof ArrayNode array ? array : container.putArray("env");
  }

  private int index(String name) {
    JsonNode env = container.path("env");
    for (int i = 0; i < env.size(); i++) {
      if (name.equals(env.get(i).path("name").asText())) {
        return i;
      }
    }
    return -1;
  }
}
