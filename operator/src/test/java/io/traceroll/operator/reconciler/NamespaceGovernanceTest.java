package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which namespaces a policy governs, and which policy wins a namespace two of them select. */
class NamespaceGovernanceTest extends ReconcilerTestBase {

  @Test
  void statusListsTheSelectedNamespacesButNeverProtectedOnes() throws IOException {
    for (String ns : new String[] {"shop", "payments", MockCluster.OPERATOR_NAMESPACE, "plain"}) {
      var builder = new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata();
      if (!ns.equals("plain")) {
        builder.editMetadata().addToLabels(Traceroll.INJECT_LABEL, "enabled").endMetadata();
      }
      cluster.client.resource(builder.build()).create();
    }
    create(sample("tracingpolicy-otlp.yaml"));

    await()
        .until(
            () ->
                Optional.ofNullable(get("to-collector").getStatus())
                    .map(s -> s.getNamespaces())
                    .orElse(null),
            ns -> ns != null && ns.equals(List.of("payments", "shop")));

    cluster
        .client
        .namespaces()
        .withName("plain")
        .edit(
            ns -> {
              ns.getMetadata().setLabels(Map.of(Traceroll.INJECT_LABEL, "enabled"));
              return ns;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> get("to-collector").getStatus().getNamespaces(),
            ns -> ns.equals(List.of("payments", "plain", "shop")));
  }

  @Test
  void aNamespaceSelectedByTwoPoliciesIsGovernedByTheOneItNamesElseTheOldest() throws IOException {
    cluster
        .client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .addToLabels(Traceroll.INJECT_LABEL, "enabled")
                .endMetadata()
                .build())
        .create();
    create(sample("tracingpolicy-otlp.yaml"));
    await().until(() -> namespacesOf("to-collector").equals(List.of("shop")));
    TracingPolicy younger = sample("tracingpolicy-otlp.yaml");
    younger.getMetadata().setName("younger");
    create(younger);

    await().until(() -> conflictsOf("younger").equals(List.of("shop=" + NS + ".to-collector")));
    assertThat(namespacesOf("younger")).isEmpty();
    assertThat(condition(get("younger"), "Conflict").map(Condition::getStatus)).contains("True");

    cluster
        .client
        .namespaces()
        .withName("shop")
        .edit(
            ns -> {
              ns.getMetadata().getLabels().put(Traceroll.POLICY_LABEL, NS + ".younger");
              return ns;
            });
    await().until(() -> namespacesOf("younger").equals(List.of("shop")));
    await().until(() -> conflictsOf("to-collector").equals(List.of("shop=" + NS + ".younger")));
  }

  List<String> namespacesOf(String policy) {
    TracingPolicy p = get(policy);
    return p.getStatus() == null ? List.of() : p.getStatus().getNamespaces();
  }

  List<String> conflictsOf(String policy) {
    TracingPolicy p = get(policy);
    return p.getStatus() == null
        ? List.of()
        : p.getStatus().getConflicts().stream()
            .map(c -> c.getNamespace() + "=" + c.getGovernedBy())
            .toList();
  }
}
