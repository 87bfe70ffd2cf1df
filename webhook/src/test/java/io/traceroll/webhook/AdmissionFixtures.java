package io.traceroll.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared helpers of the admission tests: fixtures under src/test/resources/admission, policies and
 * namespaces built in memory, applying a patch as the API server does and reading the result.
 */
final class AdmissionFixtures {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String AGENT_JAR = "/traceroll/agent/javaagent.jar";
  static final String AGENT = "-javaagent:" + AGENT_JAR;
  static final String AGENT_IMAGE =
      "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.33.1";
  static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private AdmissionFixtures() {}

  /** A JSON fixture from src/test/resources/admission/. */
  static ObjectNode fixture(String path) {
    try (InputStream in = AdmissionFixtures.class.getResourceAsStream("/admission/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture admission/" + path);
      }
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode pod(String name) {
    return fixture("pods/" + name);
  }

  /** JSON written with single quotes, for short inline pods. */
  static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A policy exporting to an external OTLP endpoint, created at the given instant. */
  static TracingPolicy otlpPolicy(String namespace, String name, String createdAt) {
    return TestPolicies.otlpPolicy(namespace, name, createdAt);
  }

  /** A policy running its own Tempo (endpoint {@code http://<name>-tempo.<ns>.svc:4317}). */
  static TracingPolicy tempoPolicy(String namespace, String name, String createdAt) {
    return TestPolicies.tempoPolicy(namespace, name, createdAt);
  }

  /** Settings of the usual test policy: obs/tracing, generation 7, OTLP to the collector. */
  static InjectionSettings settings() {
    return InjectionSettings.of(otlpPolicy("obs", "tracing", "2026-01-01T00:00:00Z"));
  }

  static Namespace namespace(String name, Map<String, String> labels) {
    return TestPolicies.namespace(name, labels);
  }

  /** Applies a JSON patch to a copy of the document, as the API server does. */
  static JsonNode apply(JsonNode document, JsonNode patch) {
    return JsonPatch.apply(patch, document.deepCopy());
  }

  /** Reads the JSON as a typed Pod; fails the test when it is not one. */
  static Pod asPod(JsonNode json) {
    try {
      return JSON.treeToValue(json, Pod.class);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not a Pod: " + json, e);
    }
  }

  static String bytes(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A container (or init container) of a pod by name, or null. */
  static JsonNode container(JsonNode pod, String name) {
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode c : pod.path("spec").path(field)) {
        if (name.equals(c.path("name").asText())) {
          return c;
        }
      }
    }
    return null;
  }

  /** The env entries of a container in order, keyed by name. */
  static Map<String, JsonNode> env(JsonNode pod, String container) {
    Map<String, JsonNode> env = new LinkedHashMap<>();
    JsonNode c = container(pod, container);
    if (c != null) {
      c.path("env").forEach(e -> env.put(e.path("name").asText(), e));
    }
    return env;
  }

  static List<String> envNames(JsonNode pod, String container) {
    return new ArrayList<>(env(pod, container).keySet());
  }

  static String value(JsonNode pod, String container, String variable) {
    JsonNode e = env(pod, container).get(variable);
    return e == null || !e.has("value") ? null : e.get("value").asText();
  }

  /** The names a value refers to with $(NAME). */
  static List<String> references(String value) {
    List<String> names = new ArrayList<>();
    if (value == null) {
      return names;
    }
    Matcher m = REFERENCE.matcher(value);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** key=value pairs of an OTEL_RESOURCE_ATTRIBUTES value, in order. */
  static Map<String, String> attributes(String value) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return out;
  }
}
