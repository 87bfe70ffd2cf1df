package io.traceroll.e2e;

import static io.traceroll.e2e.InstallPath.ACCOUNT;
import static io.traceroll.e2e.OlmInstall.CSV;
import static io.traceroll.e2e.OlmInstall.DEPLOYMENT;
import static io.traceroll.e2e.OlmInstall.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.traceroll.operator.runtime.Leadership;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A theme of {@link OlmInstallE2eTest}, run as its {@code @Nested} class once the CSV succeeded:
 * OLM bound the CSV's permissions (and what it adds to them, each accounted for) to the
 * ServiceAccount it created, and lifted to the cluster they still reach no Lease but the
 * operator's.
 */
abstract class OlmRbac {
  /**
   * RBAC OLM grants the operator's account beyond the CSV's permissions, and why. The test fails on
   * any other binding, so a change in what OLM grants is seen.
   */
  static final Map<String, String> OLM_EXTRA_ROLES =
      Map.of(
          "Role/" + DEPLOYMENT + "-service-cert",
          "get of the webhook certificate Secret OLM generated",
          "Role/" + CSV,
          "get, update and patch of the operator's OperatorCondition",
          "ClusterRole/system:auth-delegator",
          "token and access reviews, granted to every operator OLM fronts with a Service");

  @Test
  void olmBoundTheCsvsPermissionsToTheAccountItCreated(OlmInstall olm) throws Exception {
    olm.assumeInstalled();
    JsonNode install = OlmBundle.csv().at("/spec/install/spec");
    assertThat(install.at("/clusterPermissions/0/serviceAccountName").asText()).isEqualTo(ACCOUNT);
    assertThat(install.at("/permissions/0/serviceAccountName").asText()).isEqualTo(ACCOUNT);
    JsonNode account = olm.get("v1", "ServiceAccount", olm.namespace, ACCOUNT);
    assertThat(account).isNotNull();
    olm.assertOwnedByCsv(account);
    olm.record(account);

    // Every role bound to the account, by the role's kind and name, with its rules.
    Map<String, Set<JsonNode>> bound = new TreeMap<>();
    for (JsonNode binding : olm.list("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null)) {
      if (bindsAccount(olm, binding)) {
        bound.put(roleKey(binding), roleRules(olm, binding, null));
        olm.recordIfOlmOwned(binding);
      }
    }
    for (JsonNode binding :
        olm.list("rbac.authorization.k8s.io/v1", "RoleBinding", olm.namespace)) {
      if (bindsAccount(olm, binding)) {
        bound.put(roleKey(binding), roleRules(olm, binding, olm.namespace));
        olm.recordIfOlmOwned(binding);
      }
    }
    Set<JsonNode> clusterRules =
        InstallPathsAgreeTest.rules(install.at("/clusterPermissions/0/rules"));
    Set<JsonNode> namespaceRules = InstallPathsAgreeTest.rules(install.at("/permissions/0/rules"));

    // OLM lifts the namespace permissions to the cluster for an all-namespaces group, with read
    // access to namespaces added.
    Set<JsonNode> liftedRules = new HashSet<>(namespaceRules);
    liftedRules.add(
        InstallPathsAgreeTest.normalized(
            JSON.readTree(
                "{\"apiGroups\":[\"\"],\"resources\":[\"namespaces\"],"
                    + "\"verbs\":[\"get\",\"list\",\"watch\"]}")));

    Map<String, Set<JsonNode>> fromCsv = new TreeMap<>(bound);
    OLM_EXTRA_ROLES.keySet().forEach(fromCsv::remove);
    assertThat(bound.keySet())
        .as("roles bound to %s", ACCOUNT)
        .containsAll(OLM_EXTRA_ROLES.keySet());
    // The cluster permissions as a ClusterRole; the namespace permissions as a Role in the
    // operator's namespace and, lifted, as a ClusterRole.
    assertThat(fromCsv.entrySet())
        .as("roles from the CSV: %s", fromCsv.keySet())
        .hasSize(3)
        .anySatisfy(r -> assertClusterRole(r, clusterRules))
        .anySatisfy(r -> assertClusterRole(r, liftedRules))
        .anySatisfy(
            r -> {
              assertThat(r.getKey()).startsWith("Role/" + CSV + "-");
              assertThat(r.getValue()).isEqualTo(namespaceRules);
            });

    // Lifted to the cluster, the leader-election rules still reach no other Lease: not the
    // scheduler's leader Lease nor a node's heartbeat.
    String lease = Leadership.LEASE_NAME;
    assertThat(allowed(olm, "update", "leases", olm.namespace, lease)).isTrue();
    assertThat(allowed(olm, "create", "leases", olm.namespace, "")).isTrue();
    assertThat(allowed(olm, "update", "leases", "kube-system", "kube-scheduler")).isFalse();
    assertThat(allowed(olm, "patch", "leases", "kube-node-lease", "kwok-node-0")).isFalse();
    assertThat(allowed(olm, "get", "leases", "kube-system", "kube-controller-manager")).isFalse();
  }

  /** Whether the API server's authorizer lets the operator's account do this (coordination). */
  private static boolean allowed(
      OlmInstall olm, String verb, String resource, String ns, String name) {
    return olm.client()
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(
            new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser(olm.user())
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + olm.namespace)
                .withNewResourceAttributes()
                .withGroup("coordination.k8s.io")
                .withResource(resource)
                .withVerb(verb)
                .withNamespace(ns)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build())
        .getStatus()
        .getAllowed();
  }

  private static boolean bindsAccount(OlmInstall olm, JsonNode binding) {
    for (JsonNode subject : binding.path("subjects")) {
      if (subject.path("kind").asText().equals("ServiceAccount")
          && subject.path("name").asText().equals(ACCOUNT)
          && subject.path("namespace").asText(olm.namespace).equals(olm.namespace)) {
        return true;
      }
    }
    return false;
  }

  private static String roleKey(JsonNode binding) {
    return binding.at("/roleRef/kind").asText() + "/" + binding.at("/roleRef/name").asText();
  }

  private static Set<JsonNode> roleRules(OlmInstall olm, JsonNode binding, String ns) {
    String kind = binding.at("/roleRef/kind").asText();
    JsonNode role =
        olm.get(
            "rbac.authorization.k8s.io/v1",
            kind,
            kind.equals("Role") ? ns : null,
            binding.at("/roleRef/name").asText());
    assertThat(role)
        .as("%s of %s", roleKey(binding), binding.at("/metadata/name").asText())
        .isNotNull();
    if (role.at("/metadata/labels").has("olm.owner")) {
      olm.recordIfOlmOwned(role);
    }
    return InstallPathsAgreeTest.rules(role.path("rules"));
  }

  private static void assertClusterRole(
      Map.Entry<String, Set<JsonNode>> role, Set<JsonNode> rules) {
    assertThat(role.getKey()).startsWith("ClusterRole/" + CSV + "-");
    assertThat(role.getValue()).isEqualTo(rules);
  }
}
