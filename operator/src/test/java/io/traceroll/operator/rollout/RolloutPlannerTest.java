package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.api.v1alpha1.Rollout;
import io.traceroll.api.v1alpha1.WorkloadAction;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
  final FakeCluster cluster = new FakeCluster();
  final String id = cluster.policyId;
  final String hash = cluster.currentHash;

  PodFacts pod(String injectedHash) {
    return cluster.pod("app", injectedHash, null, true, null);
  }

  @Test
  void aWorkloadWhosePodsCarryTheCurrentInjectionNeedsNothing() {
    assertThat(RolloutPlanner.need(id, hash, List.of(pod(hash)))).isEmpty();
  }

  @Test
  void podsWithoutOrWithAnOlderInjectionNeedARestart() {
    PodFacts older =
        new PodFacts(
            "app-old",
            Map.of("app", "app"),
            Map.of("traceroll.io/injected", id + "@1", "traceroll.io/injection-hash", "older"),
            true,
            false,
            0,
            null);
    assertThat(RolloutPlanner.need(id, hash, List.of(pod(null))))
        .contains(WorkloadAction.Instrument);
    assertThat(RolloutPlanner.need(id, hash, List.of(pod(hash), older)))
        .contains(WorkloadAction.Instrument);
  }

  @Test
  void ourInjectionWhereThePolicyNoLongerWantsItIsRemovedAndNoOneElses() {
    assertThat(RolloutPlanner.need(id, null, List.of(pod(hash)))).contains(WorkloadAction.Remove);
    assertThat(RolloutPlanner.need("other.policy", null, List.of(pod(hash))))
        .as("another policy's injection is not ours to remove")
        .isEmpty();
  }

  @Test
  void aWorkloadWithoutLivePodsIsLeftAlone() {
    PodFacts leaving = new PodFacts("app-x", Map.of(), Map.of(), true, true, 0, null);
    assertThat(RolloutPlanner.need(id, hash, List.of())).isEmpty();
    assertThat(RolloutPlanner.need(id, hash, List.of(leaving))).isEmpty();
  }

  /** The rollout wants the agent exactly where the webhook's own decision would inject it. */
  @Test
  void thePolicyWantsItsAgentWhereTheInjectionDecisionSaysSo() {
    InjectionSettings plain = TestPolicies.settings();
    var policy = TestPolicies.policy("obs", "default");
    policy
        .getSpec()
        .getSelector()
        .setPodSelector(new LabelSelectorBuilder().addToMatchLabels("tier", "web").build());
    InjectionSettings webOnly = InjectionSettings.of(policy);

    assertThat(wants(plain, "shop", Map.of(), Map.of(), "app")).isTrue();
    assertThat(wants(plain, "elsewhere", Map.of(), Map.of(), "app"))
        .as("a namespace the policy does not govern")
        .isFalse();
    assertThat(wants(plain, "shop", Map.of("traceroll.io/inject", "false"), Map.of(), "app"))
        .as("opted out by annotation")
        .isFalse();
    assertThat(wants(plain, "shop", Map.of(), Map.of("traceroll.io/inject", "false"), "app"))
        .as("opted out by label")
        .isFalse();
    assertThat(wants(plain, "shop", Map.of(), Map.of(), "istio-proxy"))
        .as("only a sidecar")
        .isFalse();
    assertThat(
            wants(plain, "shop", Map.of("traceroll.io/container-names", "worker"), Map.of(), "app"))
        .as("the annotation names a container the pod does not have")
        .isFalse();
    assertThat(wants(webOnly, "shop", Map.of(), Map.of("tier", "db"), "app"))
        .as("outside the policy's podSelector")
        .isFalse();
    assertThat(wants(webOnly, "shop", Map.of(), Map.of("tier", "web"), "app")).isTrue();
  }

  static boolean wants(
      InjectionSettings settings,
      String namespace,
      Map<String, String> annotations,
      Map<String, String> labels,
      String container) {
    Workload w =
        new Workload(
            "Deployment",
            namespace,
            "app",
            1,
            true,
            new PodView(
                labels,
                annotations,
                List.of(),
                List.of(new PodView.ContainerView(container, "eclipse-temurin:21"))),
            new LabelSelectorBuilder().addToMatchLabels("app", "app").build());
    StepContext step =
        new StepContext(
            settings.policyId(), new Rollout(), settings, Set.of("shop"), Instant.EPOCH);
    return step.wants(w);
  }
}
