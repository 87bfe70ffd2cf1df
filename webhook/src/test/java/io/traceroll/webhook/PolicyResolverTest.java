package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicyResolverTest {
  final TracingPolicy older = TestPolicies.policy("obs", "older");
  final TracingPolicy newer = TestPolicies.policy("team", "newer");

  {
    newer.getMetadata().setCreationTimestamp("2026-06-01T00:00:00Z");
  }

  Optional<String> resolve(Map<String, Namespace> namespaces, String ns) {
    return new PolicyResolver(
            () -> List.of(newer, older),
            namespaces::get,
            new NamespaceSelection("ops"),
            Duration.ZERO)
        .resolve(ns)
        .map(InjectionSettings::policyId);
  }

  @Test
  void theOldestSelectingPolicyWins() {
    assertThat(
            resolve(Map.of("shop", ns("shop", Map.of("traceroll.io/inject", "enabled"))), "shop"))
        .contains("obs.older");
  }

  @Test
  void aCallerThatMustNotWaitHearsOfAnUnseenNamespaceAtOnce() {
    Map<String, Namespace> cache = new ConcurrentHashMap<>();
    PolicyResolver resolver =
        new PolicyResolver(
            () -> List.of(older),
            cache::get,
            new NamespaceSelection("ops"),
            Duration.ofSeconds(30));
    long start = System.nanoTime();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> resolver.resolve("late", false))
        .isInstanceOf(PolicyResolver.NotCachedYet.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    // Protected namespaces are answered without the cache.
    assertThat(resolver.resolve("ops", false)).isEmpty();
    cache.put("late", ns("late", Map.of("traceroll.io/inject", "enabled")));
    assertThat(resolver.resolve("late", false).map(InjectionSettings::policyId))
        .contains("obs.older");
  }

  @Test
  void theNamespaceLabelNamesTheWinner() {
    var shop =
        ns("shop", Map.of("traceroll.io/inject", "enabled", "traceroll.io/policy", "team.newer"));
    assertThat(resolve(Map.of("shop", shop), "shop")).contains("team.newer");
  }

  @Test
  void protectedAndUnselectedNamespacesResolveToNothing() {
    var labelled = Map.of("traceroll.io/inject", "enabled");
    assertThat(resolve(Map.of("ops", ns("ops", labelled)), "ops")).isEmpty();
    assertThat(resolve(Map.of("kube-system", ns("kube-system", labelled)), "kube-system"))
        .isEmpty();
    assertThat(resolve(Map.of("shop", ns("shop", Map.of())), "shop")).isEmpty();
    assertThat(resolve(Map.of(), "unknown")).isEmpty();
  }

  @Test
  void waitsBrieflyForANamespaceTheCacheHasNotSeenYet() throws Exception {
    Map<String, Namespace> cache = new ConcurrentHashMap<>();
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    later.schedule(
        () -> cache.put("fresh", ns("fresh", Map.of("traceroll.io/inject", "enabled"))),
        50,
        TimeUnit.MILLISECONDS);
    try {
      var resolver =
          new PolicyResolver(
              () -> List.of(older),
              cache::get,
              new NamespaceSelection("ops"),
              Duration.ofSeconds(2));
      assertThat(resolver.resolve("fresh")).isPresent();
    } finally {
      later.shutdownNow();
    }
  }

  @Test
  void settingsAreReusedUntilThePolicyChanges() {
    var shop =
        new HashMap<String, Namespace>(
            Map.of("shop", ns("shop", Map.of("traceroll.io/inject", "enabled"))));
    var resolver =
        new PolicyResolver(
            () -> List.of(older), shop::get, new NamespaceSelection("ops"), Duration.ZERO);
    InjectionSettings first = resolver.resolve("shop").orElseThrow();
    assertThat(resolver.resolve("shop").orElseThrow()).isSameAs(first);

    older.getSpec().getSampling().getDefaultSampling().setRatio(0.9);
    older.getMetadata().setResourceVersion("2");
    assertThat(resolver.resolve("shop").orElseThrow().sampler().initialSamplingRate())
        .isEqualTo(0.9);
  }

  static Namespace ns(String name, Map<String, String> labels) {
    return TestPolicies.namespace(name, labels);
  }
}
