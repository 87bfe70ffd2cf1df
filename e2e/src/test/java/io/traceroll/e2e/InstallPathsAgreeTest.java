package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The OLM bundle installs the same operator as the Helm chart and the kustomize manifests: its
 * ClusterServiceVersion's Deployment, cluster permissions and namespace permissions equal the
 * canonical install that HelmChartE2eTest holds the other two paths to, and its Services and
 * PodDisruptionBudget equal theirs. Only the webhook certificate mode differs (OLM provides it).
 */
class InstallPathsAgreeTest {
  @Test
  void theBundlesDeploymentIsTheCanonicalOneWithOlmCertificates() throws IOException {
    JsonNode install = OlmBundle.csv().at("/spec/install/spec");
    ObjectNode canonical =
        Manifests.fixture("canonical.yaml").get("Deployment", "traceroll-operator");
    JsonNode bundled = install.at("/deployments/0");

    assertThat(bundled.path("name").asText()).isEqualTo("traceroll-operator");
    ObjectNode expected = canonical.path("spec").deepCopy();
    setEnv(expected, "TRACEROLL_WEBHOOK_CERT_MODE", "olm");
    assertThat(normalized(bundled.path("spec"))).isEqualTo(normalized(expected));
  }

  @Test
  void theBundlesPermissionsAreTheCanonicalRbac() throws IOException {
    JsonNode install = OlmBundle.csv().at("/spec/install/spec");
    Manifests canonical = Manifests.fixture("canonical.yaml");

    assertThat(install.at("/clusterPermissions/0/serviceAccountName").asText())
        .isEqualTo("traceroll-operator");
    assertThat(rules(install.at("/clusterPermissions/0/rules")))
        .isEqualTo(rules(canonical.get("ClusterRole", "traceroll-operator").path("rules")));
    // The bundle leaves out the certificate Secret rule: in olm mode the operator reads the
    // certificate OLM mounts, and OLM would grant the rule in every namespace.
    Set<JsonNode> role = rules(canonical.get("Role", "traceroll-operator").path("rules"));
    role.removeIf(r -> r.path("resources").toString().equals("[\"secrets\"]"));
    assertThat(role).hasSize(3);
    assertThat(rules(install.at("/permissions/0/rules"))).isEqualTo(role);
  }

  @Test
  void theBundlesServicesAndDisruptionBudgetAreTheCanonicalOnes() throws IOException {
    Manifests canonical = Manifests.fixture("canonical.yaml");
    List<String> compared = new ArrayList<>();
    try (var files = Files.list(OlmBundle.MANIFESTS)) {
      for (Path file : files.sorted().toList()) {
        if (file.toString().endsWith(".clusterserviceversion.yaml")) {
          continue;
        }
        for (ObjectNode bundled : Manifests.parse(Files.readString(file)).all()) {
          String kind = bundled.path("kind").asText();
          if (!kind.equals("Service") && !kind.equals("PodDisruptionBudget")) {
            continue;
          }
          String name = bundled.path("metadata").path("name").asText();
          assertThat(normalized(bundled.path("spec")))
              .as("%s %s", kind, name)
              .isEqualTo(normalized(canonical.get(kind, name).path("spec")));
          compared.add(kind + "/" + name);
        }
      }
    }
    assertThat(compared)
        .containsExactlyInAnyOrder(
            "Service/traceroll-webhook",
            "Service/traceroll-sampling",
            "Service/traceroll-metrics",
            "PodDisruptionBudget/traceroll-operator");
  }

  /** Rules as a set: their order carries no meaning. */
  static Set<JsonNode> rules(JsonNode rules) {
    Set<JsonNode> out = new HashSet<>();
    rules.forEach(r -> out.add(normalized(r)));
    return out;
  }

  /** Numbers compared by value (YAML writers differ on 1 and 1.0): a round trip through text. */
  static JsonNode normalized(JsonNode node) {
    try {
      return Manifests.parse("kind: X\nvalue: " + node.toString()).all().get(0).path("value");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void setEnv(ObjectNode deploymentSpec, String name, String value) {
    for (JsonNode e : (ArrayNode) deploymentSpec.at("/template/spec/containers/0/env")) {
      if (e.path("name").asText().equals(name)) {
        ((ObjectNode) e).put("value", value);
        return;
      }
    }
    throw new AssertionError("no " + name + " in the canonical Deployment");
  }
}
