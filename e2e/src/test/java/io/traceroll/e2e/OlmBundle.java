package io.traceroll.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The OLM bundle in bundle/ as its files say it (not as OLM stored it). */
final class OlmBundle {
  static final Path MANIFESTS = Path.of("../bundle/manifests");
  static final Path ANNOTATIONS = Path.of("../bundle/metadata/annotations.yaml");

  private OlmBundle() {}

  /** The ClusterServiceVersion in bundle/manifests. */
  static JsonNode csv() throws IOException {
    return Manifests.parse(
            Files.readString(MANIFESTS.resolve("traceroll.clusterserviceversion.yaml")))
        .get("ClusterServiceVersion", "traceroll.v0.1.0");
  }

  /** An annotation of bundle/metadata, e.g. package.v1 for the package name. */
  static String annotation(String key) throws IOException {
    return OlmInstall.YAML
        .readTree(ANNOTATIONS.toFile())
        .path("annotations")
        .path("operators.operatorframework.io.bundle." + key)
        .asText();
  }

  /** Every object in bundle/manifests by kind/name. */
  static Map<String, JsonNode> objects() throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.sorted().toList()) {
        for (ObjectNode object : Manifests.parse(Files.readString(file)).all()) {
          out.put(
              object.path("kind").asText() + "/" + object.at("/metadata/name").asText(), object);
        }
      }
    }
    return out;
  }
}
