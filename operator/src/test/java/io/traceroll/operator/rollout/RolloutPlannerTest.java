package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.traceroll.operator.rollout.RolloutPlanner.Action;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
  final FakeCluster pods = new FakeCluster();

  static Workload workload(Map<String, String> annotations, Map<String, String> labels) {
    return new Workload(
        "Deployment",
        "shop",
        "app",
        1,
        true,
        annotations,
        labels,
        new LabelSelectorBuilder().addToMatchLabels("app", "app").build());
  }

  @Test
  void aWorkloadWhosePodsCarryTheCurrentInjectionNeedsNothing() {
    assertThat(
            RolloutPlanner.plan(
                "obs.default",
                "h1",
                workload(Map.of(), Map.of()),
                List.of(pods.pod("app", "h1", null, true, null))))
        .isEqualTo(Action.NOTHING);
  }

  @Test
  void podsWithoutOrWithAnOlderInjectionNeedARestart() {
    Workload w = workload(Map.of(), Map.of());
    assertThat(
            RolloutPlanner.plan(
                "obs.default", "h2", w, List.of(pods.pod("app", null, null, true, null))))
        .isEqualTo(Action.INSTRUMENT);
    assertThat(
            RolloutPlanner.plan(
                "obs.default", "h2", w, List.of(pods.pod("app", "h1", null, true, null))))
        .isEqualTo(Action.INSTRUMENT);
  }

  @Test
  void injectionThatNoLongerAppliesIsRemoved() {
    var injected = List.of(pods.pod("app", "h1", null, true, null));
    assertThat(RolloutPlanner.plan("obs.default", null, workload(Map.of(), Map.of()), injected))
        .as("namespace no longer governed")
        .isEqualTo(Action.REMOVE);
    assertThat(
            RolloutPlanner.plan(
                "obs.default",
                "h1",
                workload(Map.of("traceroll.io/inject", "false"), Map.of()),
                injected))
        .as("opted out by annotation")
        .isEqualTo(Action.REMOVE);
    assertThat(
            RolloutPlanner.plan(
                "obs.default",
                "h1",
                workload(Map.of(), Map.of("traceroll.io/inject", "false")),
                injected))
        .as("opted out by label")
        .isEqualTo(Action.REMOVE);
    assertThat(RolloutPlanner.plan("other.policy", null, workload(Map.of(), Map.of()), injected))
        .as("another policy's injection is not ours to remove")
        .isEqualTo(Action.NOTHING);
  }

  @Test
  void aWorkloadWithoutPodsIsLeftAlone() {
    assertThat(RolloutPlanner.plan("obs.default", "h1", workload(Map.of(), Map.of()), List.of()))
        .isEqualTo(Action.NOTHING);
  }
}
