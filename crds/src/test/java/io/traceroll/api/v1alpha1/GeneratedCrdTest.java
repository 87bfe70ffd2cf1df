package io.traceroll.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when a committed copy of the CRD differs from what the Java API generates. Run
 * {@code make crds} to refresh the copies.
 */
class GeneratedCrdTest {
  static final String FILE = "tracingpolicies.traceroll.io-v1.yml";
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FILE);

  /** Every install path ships a copy: kustomize and Helm load no file outside their roots. */
  static final List<Path> COMMITTED =
      List.of(
          Path.of(FILE),
          Path.of("../helm/traceroll/crds", FILE),
          Path.of("../bundle/manifests", FILE),
          Path.of("../deploy/base", FILE));

  @Test
  void committedCopiesMatchTheGeneratedCrd() throws IOException {
    String generated = Files.readString(GENERATED);
    for (Path copy : COMMITTED) {
      assertThat(copy).as("%s exists (run make crds)", copy).exists();
      assertThat(Files.readString(copy))
          .as("%s is out of date with the Java API: run make crds and commit", copy)
          .isEqualTo(generated);
    }
  }

  @Test
  void everySpecFieldIsDescribed() throws IOException {
    JsonNode schema =
        new ObjectMapper(new YAMLFactory())
            .readTree(GENERATED.toFile())
            .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> undescribed = new ArrayList<>();
    collectUndescribed(schema, "spec", undescribed, true);
    assertThat(undescribed).as("fields without @JsonPropertyDescription").isEmpty();
  }

  @Test
  void crossFieldRulesAreInTheSchema() throws IOException {
    String crd = Files.readString(GENERATED);
    assertThat(crd)
        .contains("has(self.tempo) != has(self.otlpEndpoint)")
        .contains("self.type != 's3' || has(self.s3)")
        .contains("has(self.ratio) != has(self.maxTracesPerSecond)")
        .contains("duration(self.decisionWait) >= duration('1s')")
        .contains("has(self.backend) && has(self.backend.tempo)")
        .contains("k.matches('^[a-zA-Z_][a-zA-Z0-9_]*$')");
  }

  @Test
  void kubectlShowsReadinessAndProgressBeforeAge() throws IOException {
    JsonNode version =
        new ObjectMapper(new YAMLFactory()).readTree(GENERATED.toFile()).at("/spec/versions/0");
    List<String> columns = new ArrayList<>();
    version.path("additionalPrinterColumns").forEach(c -> columns.add(c.path("name").asText()));
    assertThat(columns)
        .containsExactly("Ready", "Instrumented", "Agents", "Age", "Sampling", "Backend");
    // The recursive-descent paths of the first two find one field each.
    String schema = version.path("schema").toString();
    assertThat(schema.split("\"conditions\":", -1)).hasSize(2);
    assertThat(schema.split("\"rollout\":", -1)).as("spec.rollout and status.rollout").hasSize(3);
    assertThat(schema.split("\"summary\":", -1)).hasSize(2);
    assertThat(schema.split("\"verifiedAgents\":", -1)).hasSize(2);
  }

  /** Walks our own properties; embedded Kubernetes types (selectors, env) bring their own. */
  private static void collectUndescribed(
      JsonNode node, String path, List<String> out, boolean root) {
    if (!root && !node.has("description")) {
      out.add(path);
    }
    if (FieldReference.isKubernetesType(path)) {
      return;
    }
    node.path("properties")
        .fields()
        .forEachRemaining(
            e -> collectUndescribed(e.getValue(), path + "." + e.getKey(), out, false));
    JsonNode items = node.path("items");
    if (items.has("properties")) {
      items
          .path("properties")
          .fields()
          .forEachRemaining(
              e -> collectUndescribed(e.getValue(), path + "[]." + e.getKey(), out, false));
    }
  }
}
