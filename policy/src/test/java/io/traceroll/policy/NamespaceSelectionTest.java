package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamespaceSelectionTest {
  static final String OPERATOR_NS = "traceroll-system";
  static final Map<String, String> ENABLED = Map.of("traceroll.io/inject", "enabled");

  final NamespaceSelection selection = new NamespaceSelection(OPERATOR_NS);

  static TracingPolicy policy(LabelSelector namespaceSelector) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new TracingPolicySpec());
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint("http://collector.obs.svc:4317");
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    policy.getSpec().setBackend(backend);
    policy.getSpec().getSelector().setNamespaceSelector(namespaceSelector);
    return policy;
  }

  static Namespace unlabelled(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  @Test
  void withoutASelectorOnlyNamespacesLabelledInjectEnabledAreSelected() {
    TracingPolicy policy = policy(null);
    assertThat(selection.selects(policy, TestPolicies.namespace("shop", ENABLED))).isTrue();
    assertThat(
            selection.selects(
                policy, TestPolicies.namespace("shop", Map.of("traceroll.io/inject", "disabled"))))
        .isFalse();
    assertThat(
            selection.selects(policy, TestPolicies.namespace("shop", Map.of("inject", "enabled"))))
        .isFalse();
    assertThat(selection.selects(policy, unlabelled("shop"))).isFalse();
  }

  @Test
  void aPolicySelectorReplacesTheDefaultLabel() {
    TracingPolicy policy =
        policy(new LabelSelectorBuilder().addToMatchLabels("team", "payments").build());
    assertThat(selection.selects(policy, TestPolicies.namespace("pay", Map.of("team", "payments"))))
        .isTrue();
    assertThat(selection.selects(policy, TestPolicies.namespace("shop", ENABLED))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {OPERATOR_NS, "kube-system"})
  void neverSelectsProtectedNamespacesEvenWhenLabelled(String name) {
    Map<String, String> labels = Map.of("traceroll.io/inject", "enabled", "team", "payments");
    assertThat(selection.isProtected(name)).isTrue();
    assertThat(selection.selects(policy(null), TestPolicies.namespace(name, labels))).isFalse();
    assertThat(
            selection.selects(
                policy(new LabelSelectorBuilder().addToMatchLabels("team", "payments").build()),
                TestPolicies.namespace(name, labels)))
        .isFalse();
    assertThat(selection.selects(policy(new LabelSelector()), TestPolicies.namespace(name, labels)))
        .isFalse();
    assertThat(
            selection.selected(
                policy(new LabelSelector()), List.of(TestPolicies.namespace(name, labels))))
        .isEmpty();
  }

  @Test
  void otherSystemLookingNamespacesAreNotProtected() {
    assertThat(selection.isProtected("kube-public")).isFalse();
    assertThat(selection.isProtected("default")).isFalse();
    assertThat(selection.selects(policy(null), TestPolicies.namespace("kube-public", ENABLED)))
        .isTrue();
  }

  @Test
  void theProtectedNamespaceIsTheOneGivenNotAFixedName() {
    NamespaceSelection other = new NamespaceSelection("observability");
    assertThat(other.isProtected("observability")).isTrue();
    assertThat(other.isProtected(OPERATOR_NS)).isFalse();
    assertThat(other.selects(policy(null), TestPolicies.namespace(OPERATOR_NS, ENABLED))).isTrue();
    assertThat(other.selects(policy(null), TestPolicies.namespace("observability", ENABLED)))
        .isFalse();
  }

  @Test
  void anEmptySelectorSelectsEveryUnprotectedNamespaceEvenUnlabelled() {
    List<Namespace> namespaces =
        List.of(
            unlabelled("web"),
            TestPolicies.namespace("api", Map.of("x", "y")),
            unlabelled("kube-system"),
            unlabelled(OPERATOR_NS));
    assertThat(selection.selected(policy(new LabelSelector()), namespaces))
        .containsExactly("api", "web");
  }

  @Test
  void selectedReturnsTheMatchingNamesSorted() {
    List<Namespace> namespaces =
        List.of(
            TestPolicies.namespace("zeta", ENABLED),
            unlabelled("beta"),
            TestPolicies.namespace("alpha", ENABLED),
            TestPolicies.namespace("kube-system", ENABLED),
            TestPolicies.namespace("mid", ENABLED),
            TestPolicies.namespace(OPERATOR_NS, ENABLED),
            TestPolicies.namespace("gamma", Map.of("traceroll.io/inject", "disabled")));
    assertThat(selection.selected(policy(null), namespaces))
        .containsExactly("alpha", "mid", "zeta");
  }

  @Test
  void selectedOfNoNamespacesIsEmpty() {
    assertThat(selection.selected(policy(null), List.of())).isEmpty();
  }

  @Test
  void anOperatorInKubeSystemStillProtectsKubeSystem() {
    NamespaceSelection inKubeSystem = new NamespaceSelection("kube-system");
    assertThat(inKubeSystem.isProtected("kube-system")).isTrue();
    assertThat(inKubeSystem.selects(policy(null), TestPolicies.namespace("kube-system", ENABLED)))
        .isFalse();
    assertThat(inKubeSystem.selects(policy(null), TestPolicies.namespace("shop", ENABLED)))
        .isTrue();
  }
}
