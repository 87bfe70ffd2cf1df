package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** Test helpers: pod fixtures, policies, applying patches and reading the result. */
final class Pods {
  static final ObjectMapper JSON = new ObjectMapper();

  private Pods() {}

  static ObjectNode fixture(String name) {
    try (InputStream in = Pods.class.getResourceAsStream("/admission/pods/" + name)) {
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static TracingPolicy policy(String namespace, String name) {
    return TestPolicies.policy(namespace, name);
  }

  static InjectionSettings settings() {
    return InjectionSettings.of(policy("obs", "default"));
  }

  /** Applies the mutator's patch to the pod, as the API server does. */
  static JsonNode apply(JsonNode pod, Mutations.Result result) {
    return JsonPatch.apply(result.patch(), pod);
  }

  static Pod asPod(JsonNode json) {
    return JSON.convertValue(json, Pod.class);
  }

  /** Env of a container of the result, by name (values or "valueFrom"). */
  static Map<String, JsonNode> env(JsonNode pod, String container) {
    Map<String, JsonNode> env = new HashMap<>();
    for (JsonNode c : pod.path("spec").path("containers")) {
      if (c.path("name").asText().equals(container)) {
        c.path("env").forEach(e -> env.put(e.path("name").asText(), e));
      }
    }
    return env;
  }

  static String value(JsonNode pod, String container, String var) {
    JsonNode e = env(pod, container).get(var);
    return e == null ? null : e.path("value").asText(null);
  }
}
