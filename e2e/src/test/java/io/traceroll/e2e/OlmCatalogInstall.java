package io.traceroll.e2e;

import static io.traceroll.e2e.InstallPath.ACCOUNT;
import static io.traceroll.e2e.OlmInstall.CSV;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A theme of {@link OlmInstallE2eTest}, run as its first {@code @Nested} class: a Subscription in a
 * namespace with an all-namespaces OperatorGroup makes the catalog operator resolve the bundle from
 * the catalog opm serves and run an InstallPlan (the CRD, the CSV, the bundle's Services and
 * PodDisruptionBudget, and the ServiceAccount and RBAC generated from the CSV's permissions), and
 * the olm operator takes the CSV through Pending, InstallReady and Installing to Succeeded.
 */
abstract class OlmCatalogInstall {
  @Test
  void aSubscriptionInstallsTheBundleFromTheCatalogAndTheCsvSucceeds(OlmInstall olm)
      throws Exception {
    olm.create(
        """
        apiVersion: operators.coreos.com/v1
        kind: OperatorGroup
        metadata: {name: global-operators, namespace: %s}
        spec: {}
        """
            .formatted(olm.namespace));
    olm.create(
        """
        apiVersion: operators.coreos.com/v1alpha1
        kind: CatalogSource
        metadata: {name: traceroll-bundle, namespace: %s}
        spec:
          sourceType: grpc
          address: 127.0.0.1:%d
          displayName: bundle/ served by opm
        """
            .formatted(olm.olmNamespace, olm.registryPort));
    olm.create(
        """
        apiVersion: operators.coreos.com/v1alpha1
        kind: Subscription
        metadata: {name: traceroll, namespace: %s}
        spec:
          name: %s
          channel: %s
          source: traceroll-bundle
          sourceNamespace: %s
          installPlanApproval: Automatic
        """
            .formatted(
                olm.namespace,
                OlmBundle.annotation("package.v1"),
                OlmBundle.annotation("channel.default.v1"),
                olm.olmNamespace));

    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              olm.processes.forEach(ToolProcess::assertAlive);
              JsonNode csv = olm.csv();
              assertThat(csv).as("the CSV the InstallPlan created").isNotNull();
              assertThat(csv.at("/status/phase").asText())
                  .as("CSV phase (%s)", csv.at("/status/message").asText())
                  .isEqualTo("Succeeded");
            });
    olm.installed = true;

    JsonNode catalog =
        olm.get(
            "operators.coreos.com/v1alpha1", "CatalogSource", olm.olmNamespace, "traceroll-bundle");
    assertThat(catalog.at("/status/connectionState/lastObservedState").asText()).isEqualTo("READY");

    // The phases the olm operator took the CSV through, oldest first.
    List<String> phases = new ArrayList<>();
    olm.csv().at("/status/conditions").forEach(c -> phases.add(c.path("phase").asText()));
    assertThat(phases).containsSubsequence("Pending", "InstallReady", "Installing", "Succeeded");
    olm.csv()
        .at("/status/requirementStatus")
        .forEach(
            r ->
                assertThat(r.path("status").asText())
                    .as("requirement %s %s", r.path("kind").asText(), r.path("name").asText())
                    .isIn("Present", "Satisfied"));

    // The InstallPlan created every object of the bundle, and the account and RBAC for it.
    // The catalog operator records the installed CSV on the Subscription on its own schedule,
    // possibly after the CSV succeeded.
    awaitField(olm, "Subscription", "traceroll", "/status/installedCSV", CSV);
    String planName =
        olm.get("operators.coreos.com/v1alpha1", "Subscription", olm.namespace, "traceroll")
            .at("/status/installPlanRef/name")
            .asText();
    awaitField(olm, "InstallPlan", planName, "/status/phase", "Complete");
    JsonNode plan =
        olm.get("operators.coreos.com/v1alpha1", "InstallPlan", olm.namespace, planName);
    Map<String, String> steps = new TreeMap<>();
    plan.at("/status/plan")
        .forEach(
            s ->
                steps.put(
                    s.at("/resource/kind").asText() + "/" + s.at("/resource/name").asText(),
                    s.path("status").asText()));
    assertThat(steps.values())
        .as("%s", steps)
        .allMatch(s -> s.equals("Created") || s.equals("Present"));
    assertThat(steps.keySet()).containsAll(OlmBundle.objects().keySet());
    Set<String> generated = new TreeSet<>(steps.keySet());
    generated.removeAll(OlmBundle.objects().keySet());
    assertThat(generated.stream().map(k -> k.substring(0, k.indexOf('/'))))
        .as("steps beyond the bundle's files: %s", generated)
        .containsExactlyInAnyOrder(
            "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");
    assertThat(generated).contains("ServiceAccount/" + ACCOUNT);

    // The bundle's Services and PodDisruptionBudget as the bundle declares them, owned by the CSV.
    for (var e : OlmBundle.objects().entrySet()) {
      JsonNode file = e.getValue();
      String kind = file.path("kind").asText();
      if (!Set.of("Service", "PodDisruptionBudget").contains(kind)) {
        continue;
      }
      JsonNode live =
          olm.get(
              file.path("apiVersion").asText(),
              kind,
              olm.namespace,
              file.at("/metadata/name").asText());
      assertThat(live).as(e.getKey()).isNotNull();
      Map<String, List<JsonNode>> added = new HashMap<>();
      OlmInstall.assertContains(file.path("spec"), live.path("spec"), e.getKey(), added);
      assertThat(added).as("%s beyond the bundle's", e.getKey()).isEmpty();
      olm.assertOwnedByCsv(live);
      olm.record(live);
    }
  }

  /** Waits until a field of an object of OLM's in the operator's namespace has the value. */
  private static void awaitField(
      OlmInstall olm, String kind, String name, String pointer, String expected) {
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        olm.get("operators.coreos.com/v1alpha1", kind, olm.namespace, name)
                            .at(pointer)
                            .asText())
                    .isEqualTo(expected));
  }
}
