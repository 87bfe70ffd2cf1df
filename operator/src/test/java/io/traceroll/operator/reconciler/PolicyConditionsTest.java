package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyConditionsTest {
  static final Condition OLD_READY =
      new ConditionBuilder()
          .withType("Ready")
          .withStatus("True")
          .withReason("Reconciled")
          .withLastTransitionTime("2026-01-01T00:00:00Z")
          .build();
  static final Condition OTHER =
      new ConditionBuilder().withType("BackendReady").withStatus("True").build();

  @Test
  void addsAMissingConditionWithGeneration() {
    List<Condition> out = PolicyConditions.set(List.of(OTHER), "Ready", false, "R", "m", 4L);
    assertThat(out).hasSize(2);
    Condition ready = PolicyConditions.find(out, "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getObservedGeneration()).isEqualTo(4L);
    assertThat(ready.getLastTransitionTime()).isNotBlank();
  }

  @Test
  void keepsTheTransitionTimeWhileTheStatusStays() {
    List<Condition> out =
        PolicyConditions.set(List.of(OLD_READY, OTHER), "Ready", true, "Other", "new", 5L);
    Condition ready = PolicyConditions.find(out, "Ready").orElseThrow();
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(ready.getReason()).isEqualTo("Other");
    assertThat(out).containsSubsequence(ready, OTHER);
  }

  @Test
  void movesTheTransitionTimeWhenTheStatusFlips() {
    List<Condition> out =
        PolicyConditions.set(List.of(OLD_READY), "Ready", false, "Broken", "x", 5L);
    assertThat(PolicyConditions.find(out, "Ready").orElseThrow().getLastTransitionTime())
        .isNotEqualTo("2026-01-01T00:00:00Z");
  }
}
