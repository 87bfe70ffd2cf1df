package io.traceroll.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Objects of a multi-document YAML render (helm template, kubectl kustomize, a fixture), as JSON
 * trees keyed by kind, namespace and name, so that install paths can be compared object by object.
 */
final class Manifests {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Labels Helm adds on top of the canonical ones; they differ by release and chart version. */
  static final Set<String> HELM_LABELS =
      Set.of("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance");

  private final Map<String, ObjectNode> objects;

  private Manifests(Map<String, ObjectNode> objects) {
    this.objects = objects;
  }

  static Manifests parse(String yaml) throws IOException {
    Map<String, ObjectNode> objects = new LinkedHashMap<>();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc instanceof ObjectNode object && object.has("kind")) {
          normalizeNumbers(object);
          String key = key(object);
          if (objects.put(key, object) != null) {
            throw new IllegalArgumentException("rendered twice: " + key);
          }
        }
      }
    }
    return new Manifests(objects);
  }

  static Manifests fixture(String name) throws IOException {
    return parse(Files.readString(Path.of("src/test/resources/install", name)));
  }

  /**
   * Numbers as exact decimals without trailing zeros: the generated CRD says {@code minimum: 0.0}
   * where kustomize's re-serialization says {@code 0}.
   */
  private static void normalizeNumbers(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object
          .properties()
          .forEach(
              e -> {
                if (e.getValue().isNumber()) {
                  e.setValue(exact(e.getValue()));
                } else {
                  normalizeNumbers(e.getValue());
                }
              });
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isNumber()) {
          array.set(i, exact(array.get(i)));
        } else {
          normalizeNumbers(array.get(i));
        }
      }
    }
  }

  private static JsonNode exact(JsonNode number) {
    return DecimalNode.valueOf(number.decimalValue().stripTrailingZeros());
  }

  /** kind/namespace/name, the namespace empty for cluster-scoped objects. */
  static String key(JsonNode object) {
    JsonNode meta = object.path("metadata");
    return object.path("kind").asText()
        + "/"
        + meta.path("namespace").asText("")
        + "/"
        + meta.path("name").asText();
  }

  Map<String, ObjectNode> byKey() {
    return objects;
  }

  List<ObjectNode> all() {
    return new ArrayList<>(objects.values());
  }

  ObjectNode get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(
            () -> new AssertionError("no " + kind + " " + name + " in " + objects.keySet()));
  }

  Optional<ObjectNode> find(String kind, String name) {
    return objects.values().stream()
        .filter(
            o ->
                o.path("kind").asText().equals(kind)
                    && o.path("metadata").path("name").asText().equals(name))
        .findFirst();
  }

  /** A copy holding only the objects that pass the filter. */
  Manifests only(Predicate<ObjectNode> filter) {
    Map<String, ObjectNode> kept = new LinkedHashMap<>();
    objects.forEach(
        (k, v) -> {
          if (filter.test(v)) {
            kept.put(k, v);
          }
        });
    return new Manifests(kept);
  }

  /** A deep copy without Helm's own labels, comparable with kustomize's render and fixtures. */
  Manifests withoutHelmLabels() {
    Map<String, ObjectNode> stripped = new LinkedHashMap<>();
    objects.forEach(
        (k, v) -> {
          ObjectNode copy = v.deepCopy();
          if (copy.path("metadata").path("labels") instanceof ObjectNode labels) {
            HELM_LABELS.forEach(labels::remove);
          }
          stripped.put(k, copy);
        });
    return new Manifests(stripped);
  }

  /** A copy with the objects of another render added (fixtures compose this way). */
  Manifests plus(Manifests more) {
    Map<String, ObjectNode> all = new LinkedHashMap<>(objects);
    all.putAll(more.objects);
    return new Manifests(all);
  }
}
