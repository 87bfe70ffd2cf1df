package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one helper of the webhook's tests: fixtures under src/test/resources/admission, the decision
 * and the mutator run as the admission handler runs them, patches applied as the API server applies
 * them, readers of the resulting pod, and the rows the mutator suite is written in. Policies and
 * namespaces come from {@link TestPolicies} (the policy module's test jar).
 */
final class TestPods {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String AGENT = "-javaagent:/traceroll/agent/javaagent.jar";
  static final String AGENT_IMAGE =
      "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.33.1";

  /** An app container plus an istio-proxy sidecar (the benchmark's pod). */
  static final String DEPLOYMENT = "deployment-pod.json";

  /** Two app containers (one JAVA_TOOL_OPTIONS literal, one from valueFrom) and two sidecars. */
  static final String MULTI = "multi-container-deployment-pod.json";

  static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private TestPods() {}

  // --- fixtures ---

  /** A JSON fixture from src/test/resources/admission/. */
  static ObjectNode fixture(String path) {
    try (InputStream in = TestPods.class.getResourceAsStream("/admission/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture admission/" + path);
      }
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A pod: inline JSON with single quotes when it starts with '{', else a fixture of pods/. */
  static ObjectNode pod(String fixtureOrJson) {
    return fixtureOrJson.startsWith("{") ? json(fixtureOrJson) : fixture("pods/" + fixtureOrJson);
  }

  /** JSON written with single quotes, for short inline pods. */
  static ObjectNode json(String singleQuoted) {
    return TestPolicies.json(singleQuoted);
  }

  /** The AdmissionReview of a Deployment's pod CREATE in namespace shop. */
  static ObjectNode review() {
    return fixture("reviews/pod-create.json");
  }

  // --- settings ---

  /** Settings of the usual policy: obs/tracing, generation 7, OTLP to the collector. */
  static InjectionSettings settings() {
    return settings(p -> {});
  }

  /** The usual policy, changed first. */
  static InjectionSettings settings(Consumer<TracingPolicy> change) {
    return settings(TestPolicies.otlpPolicy("obs", "tracing", TestPolicies.CREATED), change);
  }

  static InjectionSettings settings(TracingPolicy policy, Consumer<TracingPolicy> change) {
    change.accept(policy);
    return InjectionSettings.of(policy);
  }

  /** The usual policy in image-volume mode. */
  static InjectionSettings imageVolumeSettings() {
    return settings(p -> p.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME));
  }

  // --- the decision and the mutator ---

  /** The patch (empty when skipped), warnings, and the reason for a skip (null when not). */
  record Result(ArrayNode patch, List<String> warnings, String skipReason) {
    boolean changed() {
      return !patch.isEmpty();
    }
  }

  /** The decision and the mutator, as the admission handler runs them. */
  static Result decideAndMutate(JsonNode pod, String namespace, InjectionSettings settings) {
    PodView view = PodView.of(pod);
    InjectionDecision decision =
        InjectionDecision.of(settings, view, namespace, TestPolicies.jvmImages(view));
    if (decision instanceof InjectionDecision.Skip skip) {
      return new Result(JsonNodeFactory.instance.arrayNode(), List.of(), skip.message());
    }
    PodMutator.Result result =
        new PodMutator().mutate(pod, namespace, (InjectionDecision.Inject) decision);
    return new Result(result.patch(), result.warnings(), null);
  }

  /** A pod, what came of it, and the pod the API server makes of the patch. */
  record Mutation(JsonNode before, Result result, JsonNode after) {}

  /**
   * Mutates a pod of namespace shop and applies the patch; fails when the mutator touched its input
   * or the result is no Pod.
   */
  static Mutation mutate(JsonNode pod, InjectionSettings settings) {
    String original = bytes(pod);
    Result result = decideAndMutate(pod, "shop", settings);
    assertThat(bytes(pod)).as("the mutator leaves its input alone").isEqualTo(original);
    JsonNode after = apply(pod, result.patch());
    asPod(after);
    return new Mutation(pod, result, after);
  }

  // --- rows of the mutator suite ---

  /** One row of the mutator suite: a pod, the settings, and what must hold of the mutation. */
  record Row(String name, String pod, InjectionSettings settings, Consumer<Mutation> expect) {
    void check() {
      expect.accept(mutate(TestPods.pod(pod), settings));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, String pod, Consumer<Mutation> expect) {
    return new Row(name, pod, settings(), expect);
  }

  static Row row(String name, String pod, InjectionSettings settings, Consumer<Mutation> expect) {
    return new Row(name, pod, settings, expect);
  }

  // --- applying and reading ---

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

  /** A container (or init container, looked up first) of a pod by name, or null. */
  static JsonNode container(JsonNode pod, String name) {
    JsonNode init = byName(pod.path("spec").path("initContainers"), name);
    return init != null ? init : byName(pod.path("spec").path("containers"), name);
  }

  /** The element of a list of named objects (containers, env, volumes) by name, or null. */
  static JsonNode byName(JsonNode list, String name) {
    for (JsonNode item : list) {
      if (name.equals(item.path("name").asText())) {
        return item;
      }
    }
    return null;
  }

  /** The names of a list of named objects, in order. */
  static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(item -> names.add(item.path("name").asText()));
    return names;
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
