package io.traceroll.webhook;

import static io.traceroll.policy.TestPolicies.otlpPolicy;
import static io.traceroll.policy.TestPolicies.tempoPolicy;
import static io.traceroll.webhook.TestPods.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which policy governs a pod, from in-memory policies and namespaces. */
class PolicyResolverPrecedenceTest {
  static final String OPERATOR_NS = "traceroll-system";

  /** A pod of tier web. */
  static final JsonNode POD =
      json("{'metadata':{'name':'p','labels':{'tier':'web'}},'spec':{'containers':[]}}");

  final TracingPolicy oldest = otlpPolicy("obs", "oldest", "2025-06-01T08:00:00Z");
  final TracingPolicy middle = otlpPolicy("team-a", "middle", "2025-09-15T12:30:00Z");
  final TracingPolicy newest = tempoPolicy("team-b", "newest", "2026-02-01T00:00:00Z");
  final List<TracingPolicy> policies = new ArrayList<>(List.of(newest, oldest, middle));
  final Map<String, Namespace> namespaces = new HashMap<>();

  PolicyResolver resolver() {
    return new PolicyResolver(
        () -> policies, namespaces::get, new NamespaceSelection(OPERATOR_NS), Duration.ZERO);
  }

  Optional<String> resolve(String namespace) {
    return resolver().resolve(namespace).map(InjectionSettings::policyId);
  }

  void namespace(String name, Map<String, String> labels) {
    namespaces.put(name, TestPolicies.namespace(name, labels));
  }

  static Map<String, String> selected(String... more) {
    Map<String, String> labels = new HashMap<>(Map.of("traceroll.io/inject", "enabled"));
    for (int i = 0; i < more.length; i += 2) {
      labels.put(more[i], more[i + 1]);
    }
    return labels;
  }

  @ParameterizedTest
  @ValueSource(strings = {"obs.oldest", "team-a.middle", "team-b.newest"})
  void theNamespaceLabelPicksThePolicyItNames(String id) {
    namespace("shop", selected("traceroll.io/policy", id));

    assertThat(resolve("shop")).contains(id);
  }

  @Test
  void withoutALabelTheOldestPolicyWinsWhateverTheListOrder() {
    namespace("shop", selected());
    Random random = new Random(7);
    for (int i = 0; i < 20; i++) {
      Collections.shuffle(policies, random);
      assertThat(resolve("shop")).as("order %s", policies).contains("obs.oldest");
    }
  }

  @Test
  void equalAgesAreBrokenByIdSoTheWinnerIsStable() {
    TracingPolicy twinB = otlpPolicy("zeta", "b", "2025-01-01T00:00:00Z");
    TracingPolicy twinA = otlpPolicy("alpha", "a", "2025-01-01T00:00:00Z");
    policies.add(twinB);
    policies.add(twinA);
    namespace("shop", selected());

    assertThat(resolve("shop")).contains("alpha.a");
  }

  @Test
  void aLabelNamingAnUnknownPolicyFallsBackToTheOldest() {
    namespace("shop", selected("traceroll.io/policy", "nowhere.missing"));

    assertThat(resolve("shop")).contains("obs.oldest");
  }

  @Test
  void aLabelCannotPullInAPolicyThatDoesNotSelectTheNamespace() {
    newest
        .getSpec()
        .getSelector()
        .setNamespaceSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "gold").build());
    namespace("shop", selected("traceroll.io/policy", "team-b.newest"));

    assertThat(resolve("shop")).contains("obs.oldest");
  }

  @Test
  void deletedPoliciesAndPoliciesWithoutABackendDoNotCompete() {
    oldest.getMetadata().setDeletionTimestamp("2026-11-24T00:00:00Z");
    middle.getSpec().setBackend(null);
    namespace("shop", selected());

    assertThat(resolve("shop")).contains("team-b.newest");
  }

  @ParameterizedTest
  @ValueSource(strings = {OPERATOR_NS, "kube-system"})
  void protectedNamespacesNeverResolve(String ns) {
    LabelSelector everything = new LabelSelector();
    for (TracingPolicy p : policies) {
      p.getSpec().getSelector().setNamespaceSelector(everything);
    }
    namespace(ns, selected("traceroll.io/policy", "obs.oldest"));
    namespace("shop", Map.of());

    assertThat(resolve(ns)).isEmpty();
    assertThat(resolve("shop")).as("the empty selector selects others").contains("obs.oldest");
  }

  @Test
  void unselectedAndUnknownNamespacesResolveToNothing() {
    namespace("plain", Map.of("traceroll.io/inject", "disabled"));

    assertThat(resolve("plain")).isEmpty();
    assertThat(resolve("never-seen")).isEmpty();
  }

  @Test
  void aCustomNamespaceSelectorIsHonoured() {
    for (TracingPolicy p : policies) {
      p.getSpec()
          .getSelector()
          .setNamespaceSelector(
              new LabelSelectorBuilder()
                  .addToMatchExpressions(
                      new LabelSelectorRequirementBuilder()
                          .withKey("env")
                          .withOperator("In")
                          .withValues("staging", "prod")
                          .build())
                  .build());
    }
    namespace("prod-shop", Map.of("env", "prod"));
    namespace("dev-shop", Map.of("env", "dev", "traceroll.io/inject", "enabled"));

    assertThat(resolve("prod-shop")).contains("obs.oldest");
    assertThat(resolve("dev-shop")).isEmpty();
  }

  @Test
  void oneWinnerGovernsTheNamespaceAndItsPodSelectorIsNotHandedOver() {
    // Precedence is per namespace: a pod the winner's podSelector excludes is not instrumented
    // by a younger policy that would select it.
    oldest
        .getSpec()
        .getSelector()
        .setPodSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "db").build());
    namespace("shop", selected());

    InjectionSettings winner = resolver().resolve("shop").orElseThrow();

    assertThat(winner.policyId()).isEqualTo("obs.oldest");
    assertThat(InjectionDecision.of(winner, PodView.of(POD)))
        .isInstanceOfSatisfying(
            InjectionDecision.Skip.class,
            skip -> assertThat(skip.reason()).isEqualTo(InjectionDecision.Reason.POD_SELECTOR));
  }

  @Test
  void theResolvedSettingsCarryTheWinnersBackendAndGeneration() {
    namespace("shop", selected("traceroll.io/policy", "team-b.newest"));
    PolicyResolver resolver = resolver();

    InjectionSettings settings = resolver.resolve("shop").orElseThrow();

    assertThat(settings.policyId()).isEqualTo("team-b.newest");
    assertThat(settings.generation()).isEqualTo(7L);
    assertThat(settings.otlpEndpoint()).isEqualTo("http://newest-tempo.team-b.svc:4317");

    newest.getMetadata().setGeneration(8L);
    newest.getMetadata().setResourceVersion("101");
    assertThat(resolver.resolve("shop").orElseThrow().generation()).isEqualTo(8L);
  }

  @Test
  void changingTheNamespaceLabelSwitchesThePolicyAtOnce() {
    namespace("shop", selected());
    PolicyResolver resolver = resolver();
    assertThat(resolver.resolve("shop").orElseThrow().policyId()).isEqualTo("obs.oldest");

    namespace("shop", selected("traceroll.io/policy", "team-a.middle"));

    assertThat(resolver.resolve("shop").orElseThrow().policyId()).isEqualTo("team-a.middle");
  }
}
