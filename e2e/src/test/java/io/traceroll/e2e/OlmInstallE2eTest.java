package io.traceroll.e2e;

import static io.traceroll.e2e.InstallPath.ACCOUNT;
import static io.traceroll.e2e.OlmInstall.CSV;
import static io.traceroll.e2e.OlmInstall.DEPLOYMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.e2e.OlmInstall.ObjectRef;
import java.util.List;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OLM bundle in bundle/ installed by a real Operator Lifecycle Manager (OLM's olm and catalog
 * operators and operator-registry's opm, built from Go modules by build.sh) the way OperatorHub
 * installs it, only with the catalog served from the bundle directory instead of an image:
 *
 * <ol>
 *   <li>opm renders bundle/ into a file-based catalog (its manifests embedded, no bundle image) and
 *       serves it over gRPC on loopback; a CatalogSource points at that address;
 *   <li>a Subscription in a namespace with an all-namespaces OperatorGroup makes the catalog
 *       operator resolve the bundle and run an InstallPlan: the CRD, the CSV, the bundle's Services
 *       and PodDisruptionBudget, and the ServiceAccount and RBAC generated from the CSV's
 *       permissions;
 *   <li>the olm operator takes the CSV through Pending, InstallReady and Installing to Succeeded:
 *       it creates the Deployment (KWOK runs its pods), a CA and serving certificate, a Service and
 *       the MutatingWebhookConfiguration from the CSV's webhookdefinitions.
 * </ol>
 *
 * <p>The test then holds what OLM created to the CSV ({@link OlmCreatedObjects}, {@link OlmRbac}),
 * runs the operator jar out of cluster in the olm certificate mode ({@link OlmOperatorRun}), with
 * the certificate files OLM generated and a token of the ServiceAccount OLM created (the API server
 * cannot reach a Service here, so the admission request is sent by the test, over TLS checked
 * against the configuration's caBundle and the Service's DNS name as the API server checks it), and
 * last uninstalls: deleting the Subscription and the CSV removes everything OLM created but the
 * CRD.
 *
 * <p>A CSV applied without the catalog path stays Pending (RequirementsNotMet: "Service account
 * does not exist"): the ServiceAccount and RBAC are InstallPlan steps, not the olm operator's.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class OlmInstallE2eTest {
  @RegisterExtension static final OlmInstall olm = new OlmInstall();

  @Nested
  @Order(1)
  class CatalogInstall extends OlmCatalogInstall {}

  @Nested
  @Order(2)
  class CreatedObjects extends OlmCreatedObjects {}

  @Nested
  @Order(3)
  class Rbac extends OlmRbac {}

  @Nested
  @Order(4)
  class OperatorRun extends OlmOperatorRun {}

  @Nested
  @Order(5)
  class Uninstall {
    @Test
    void deletingTheSubscriptionAndTheCsvRemovesEverythingOlmCreatedButTheCrd() throws Exception {
      olm.assumeInstalled();
      olm.stopOperator();
      JsonNode condition =
          olm.get("operators.coreos.com/v2", "OperatorCondition", olm.namespace, CSV);
      assertThat(condition).as("the OperatorCondition OLM created").isNotNull();
      olm.record(condition);
      List<JsonNode> copies = olm.copiedCsvs();
      assertThat(olm.created.keySet())
          .as("recorded by the earlier tests")
          .contains(
              "Deployment/" + olm.namespace + "/" + DEPLOYMENT,
              "ServiceAccount/" + olm.namespace + "/" + ACCOUNT,
              "Service/" + olm.namespace + "/" + DEPLOYMENT + "-service",
              "Secret/" + olm.namespace + "/" + DEPLOYMENT + "-service-cert");
      assertThat(olm.created.keySet()).anyMatch(k -> k.startsWith("MutatingWebhookConfiguration/"));
      assertThat(olm.created.keySet()).anyMatch(k -> k.startsWith("ClusterRoleBinding/"));

      olm.resources("operators.coreos.com/v1alpha1", "Subscription")
          .inNamespace(olm.namespace)
          .withName("traceroll")
          .delete();
      olm.resources("operators.coreos.com/v1alpha1", "ClusterServiceVersion")
          .inNamespace(olm.namespace)
          .withName(CSV)
          .delete();
      await()
          .atMost(TestCluster.timeout())
          .untilAsserted(
              () -> {
                for (ObjectRef ref : olm.created.values()) {
                  assertThat(olm.get(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name()))
                      .as("%s after uninstall", ref.key())
                      .isNull();
                }
                assertThat(olm.copiedCsvs()).as("CSVs OLM copied into other namespaces").isEmpty();
                assertThat(olm.client().pods().inNamespace(olm.namespace).list().getItems())
                    .isEmpty();
              });
      System.out.printf(
          "uninstall removed %d objects OLM created and %d copied CSVs%n",
          olm.created.size(), copies.size());
      // The OperatorGroup's aggregated roles (admin, edit, view of the provided API) go with it.
      assertThat(olm.operatorGroupRoles())
          .as("roles OLM created for the OperatorGroup")
          .isNotEmpty();
      olm.resources("operators.coreos.com/v1", "OperatorGroup")
          .inNamespace(olm.namespace)
          .withName("global-operators")
          .delete();
      await()
          .atMost(TestCluster.timeout())
          .untilAsserted(() -> assertThat(olm.operatorGroupRoles()).isEmpty());
      // OLM leaves CRDs (and so every policy) alone on uninstall, as helm does.
      olm.assertCrdStays();
    }
  }
}
