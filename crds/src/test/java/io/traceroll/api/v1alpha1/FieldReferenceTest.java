package io.traceroll.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The field reference in docs/reference.md is the one the CRD generates. {@code make crds} rewrites
 * it (this test with {@code -Dreference.update=true}); otherwise a stale reference fails the build.
 */
class FieldReferenceTest {
  static final Path REFERENCE = Path.of("../docs/reference.md");

  static JsonNode crd() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(GeneratedCrdTest.GENERATED.toFile());
  }

  @Test
  void theReferenceDocCarriesTheGeneratedReference() throws IOException {
    String doc = Files.readString(REFERENCE);
    int begin = doc.indexOf(FieldReference.BEGIN);
    int end = doc.indexOf(FieldReference.END);
    assertThat(begin).as("docs/reference.md has the reference markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String current = doc.substring(begin, end + FieldReference.END.length());
    String generated = FieldReference.render(crd());
    if (Boolean.getBoolean("reference.update")) {
      Files.writeString(REFERENCE, doc.replace(current, generated));
      return;
    }
    assertThat(current)
        .as("the field reference in docs/reference.md is out of date: run make crds and commit")
        .isEqualTo(generated);
  }

  @Test
  void everyFieldOfTheApiIsListedWithItsConstraints() throws IOException {
    String reference = FieldReference.render(crd());

    assertThat(reference)
        .contains("| `spec.sampling.default.ratio` | number, 0–1, default `1.0` |")
        .contains("| `spec.sampling.services[].maxTracesPerSecond` | integer, 0– |")
        .contains(
            "| `spec.rollout.strategy` | string, one of `Immediate`, `OnNextRestart`, `Staged`,"
                + " default `Staged` |")
        .contains("duration like `30s`, `1h30m`")
        .contains("Each item: set exactly one of ratio or maxTracesPerSecond for a service.")
        .contains("Rule: exactly one of backend.tempo or backend.otlpEndpoint must be set.")
        .contains("| `status.conditions` | Kubernetes Conditions |")
        .contains("| `spec.selector.namespaceSelector` | Kubernetes LabelSelector |")
        .contains("| `status.observedGeneration` |");
    // Nothing below an embedded Kubernetes type is listed: it documents itself.
    assertThat(reference)
        .doesNotContain("namespaceSelector.matchLabels")
        .doesNotContain("conditions[].reason");
  }
}
