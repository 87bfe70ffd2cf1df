package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart installed by the real helm into a fresh namespace that enforces restricted Pod
 * Security: the API server accepts every object and KWOK runs the operator's pods. The operator jar
 * then runs out of cluster with a token of the chart's ServiceAccount and carries a policy through
 * its life ({@link HelmPolicyLifecycle}) without one Forbidden; the audit log shows every call was
 * granted and accounts for each grant it did not need. Last, helm uninstall removes every object
 * the chart created.
 *
 * <p>The chart's names are canonical (the ClusterRole is traceroll-operator, whatever the release),
 * so this class installs one release and removes it again; the other e2e classes run their own
 * operator and use none of its objects.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class HelmInstallE2eTest {
  @RegisterExtension
  static final HelmInstall helm = new HelmInstall("traceroll-install", InstallPath.RESTRICTED);

  /**
   * Grants of the canonical RBAC this test's scenario may leave unused, and why each stays. The
   * test fails when the chart grants anything that is neither used nor listed here.
   */
  static final Map<String, String> KEPT_UNUSED =
      Map.ofEntries(
          Map.entry(
              "traceroll.io/tracingpolicies:get",
              "JOSDK re-reads a policy when a finalizer patch conflicts"),
          Map.entry(
              "traceroll.io/tracingpolicies/finalizers:update",
              "needed to set blockOwnerDeletion where OwnerReferencesPermissionEnforcement is on (OpenShift), and the children's owner references set none"),
          Map.entry(
              "admissionregistration.k8s.io/mutatingwebhookconfigurations:create",
              "the chart creates the configuration; an operator run without an install path"
                  + " (make demo, java -jar) creates it itself"),
          Map.entry("/configmaps:get", "get adds nothing to list and watch"),
          Map.entry("/services:get", "get adds nothing to list and watch"),
          Map.entry(
              "/secrets:update",
              "the leader re-issues the webhook certificate 30 days before expiry"),
          Map.entry("/pods:get", "get adds nothing to list and watch"),
          Map.entry(
              "/pods:patch",
              "the label traceroll.io/agent: contacted, written when an agent contacts the"
                  + " operator: no agent runs on KWOK"),
          Map.entry(
              "/pods:delete",
              "image probe pods, deleted once the kubelet reports on them: no container runs on"
                  + " KWOK"),
          Map.entry("/namespaces:get", "get adds nothing to list and watch"),
          Map.entry(
              "apps/statefulsets:create",
              "Tempo on a volume (storage pv) is a StatefulSet; this test runs memory storage"),
          Map.entry("apps/statefulsets:delete", "a StatefulSet Tempo goes when storage leaves pv"),
          Map.entry(
              "coordination.k8s.io/leases:update",
              "JOSDK checks get, create and update on the Lease at start-up; fabric8 renews it by patch"));

  @Nested
  @Order(1)
  class Install {
    @Test
    void apiServerAcceptsEveryObjectAndKwokRunsTheOperatorPods() {
      String namespace = helm.namespace;
      assertThat(helm.installed.byKey().keySet())
          .containsExactlyInAnyOrder(
              "ServiceAccount/" + namespace + "/traceroll-operator",
              "ClusterRole//traceroll-operator",
              "ClusterRoleBinding//traceroll-operator",
              "Role/" + namespace + "/traceroll-operator",
              "RoleBinding/" + namespace + "/traceroll-operator",
              "Deployment/" + namespace + "/traceroll-operator",
              "Service/" + namespace + "/traceroll-webhook",
              "Service/" + namespace + "/traceroll-sampling",
              "Service/" + namespace + "/traceroll-metrics",
              "PodDisruptionBudget/" + namespace + "/traceroll-operator",
              "MutatingWebhookConfiguration//traceroll-webhook");
      helm.assertAllLive(helm.installed);
      assertThat(
              helm.client()
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(InstallPath.CRD)
                  .get())
          .as("the CRD from the chart's crds/")
          .isNotNull();

      // Restricted Pod Security admitted the pods; the scheduler put them on KWOK nodes.
      InstallPath.assertRunOnKwok(helm.cluster.operatorPods(namespace), 2);
      assertThat(
              helm.client()
                  .apps()
                  .deployments()
                  .inNamespace(namespace)
                  .withName("traceroll-operator")
                  .get()
                  .getStatus()
                  .getAvailableReplicas())
          .isEqualTo(2);
      await()
          .atMost(TestCluster.timeout())
          .untilAsserted(
              () -> {
                PodDisruptionBudget pdb =
                    helm.client()
                        .policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(namespace)
                        .withName("traceroll-operator")
                        .get();
                assertThat(pdb.getStatus().getCurrentHealthy()).isEqualTo(2);
                assertThat(pdb.getStatus().getDisruptionsAllowed()).isEqualTo(1);
              });
    }
  }

  @Nested
  @Order(2)
  class PolicyLifecycle extends HelmPolicyLifecycle {}

  @Nested
  @Order(3)
  class Rbac {
    @Test
    void everyCallWasGrantedAndEveryUnusedGrantIsAccountedFor() {
      Optional<List<AuditLog.Call>> audited = helm.auditedCalls();
      assumeTrue(
          audited.isPresent(), "no audit log beside KUBECONFIG: not a local cluster of up.sh");

      Set<String> used = AuditLog.permissions(audited.get());
      Set<String> granted = granted(helm.installed);
      assertThat(granted).as("RBAC of the chart").containsAll(used);
      Set<String> unused = new TreeSet<>(granted);
      unused.removeAll(used);
      StringBuilder table = new StringBuilder("\nRBAC used by the operator (audit log):\n");
      used.forEach(p -> table.append("  used    ").append(p).append('\n'));
      unused.forEach(
          p ->
              table
                  .append("  unused  ")
                  .append(p)
                  .append("  -- ")
                  .append(KEPT_UNUSED.getOrDefault(p, "NOT ACCOUNTED FOR"))
                  .append('\n'));
      System.out.println(table);
      assertThat(KEPT_UNUSED.keySet())
          .as("grants neither used nor accounted for%s", table)
          .containsAll(unused);
      assertThat(granted)
          .as("reasons kept for grants the chart no longer has")
          .containsAll(KEPT_UNUSED.keySet());
    }
  }

  @Nested
  @Order(4)
  class Uninstall {
    @Test
    void uninstallRemovesEveryObjectTheChartCreated() throws Exception {
      helm.stopOperator();
      helm.uninstall();
      await()
          .atMost(TestCluster.timeout())
          .untilAsserted(
              () -> {
                helm.assertNoneLive(helm.installed);
                assertThat(helm.cluster.operatorPods(helm.namespace)).isEmpty();
                // What the operator wrote in the namespace is owned by the webhook configuration
                // the chart created, so the garbage collector removed it with the release.
                assertThat(helm.certificateSecret())
                    .as("the operator's certificate Secret")
                    .isNull();
                assertThat(helm.leaderLease()).as("the leader Lease").isNull();
              });
      // Helm leaves CRDs (and so every policy) alone on uninstall; deleting the CRD is the user's.
      helm.assertCrdStays();
      assertThat(helm.releaseExists()).isFalse();
    }
  }

  /** group/resource:verb for every rule of the ClusterRole and the Role (no wildcards). */
  static Set<String> granted(Manifests manifests) {
    Set<String> out = new TreeSet<>();
    for (ObjectNode object : manifests.all()) {
      if (!Set.of("ClusterRole", "Role").contains(object.path("kind").asText())) {
        continue;
      }
      for (JsonNode rule : object.path("rules")) {
        for (JsonNode group : rule.path("apiGroups")) {
          for (JsonNode resource : rule.path("resources")) {
            for (JsonNode verb : rule.path("verbs")) {
              assertThat(List.of(group.asText(), resource.asText(), verb.asText()))
                  .doesNotContain("*");
              out.add(group.asText() + "/" + resource.asText() + ":" + verb.asText());
            }
          }
        }
      }
    }
    return out;
  }
}
