package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

  static final Condition DEGRADED =
      new ConditionBuilder()
          .withType("Degraded")
          .withStatus("False")
          .withReason("Healthy")
          .withLastTransitionTime("2025-12-01T00:00:00Z")
          .build();

  @Test
  void addsAMissingConditionAfterTheOthers() {
    List<Condition> out =
        PolicyConditions.set(List.of(OTHER, DEGRADED), "Ready", true, "Reconciled", "ok", 1L);

    assertThat(out)
        .extracting(Condition::getType)
        .containsExactly("BackendReady", "Degraded", "Ready");
    Condition ready = out.get(2);
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("Reconciled");
    assertThat(ready.getMessage()).isEqualTo("ok");
    assertThat(ready.getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void addsToANullOrEmptyList() {
    for (List<Condition> current : Arrays.asList(null, List.<Condition>of())) {
      List<Condition> out = PolicyConditions.set(current, "Ready", true, "R", "m", 2L);
      assertThat(out).singleElement().extracting(Condition::getType).isEqualTo("Ready");
    }
  }

  @Test
  void replacesTheConditionOfTheSameTypeInPlaceKeepingTheOthers() {
    List<Condition> out =
        PolicyConditions.set(
            List.of(DEGRADED, OLD_READY, OTHER), "Ready", false, "TempoStarting", "waiting", 7L);

    assertThat(out).hasSize(3);
    assertThat(out)
        .extracting(Condition::getType)
        .containsExactly("Degraded", "Ready", "BackendReady");
    assertThat(out.get(0)).isSameAs(DEGRADED);
    assertThat(out.get(2)).isSameAs(OTHER);
    Condition ready = out.get(1);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("TempoStarting");
    assertThat(ready.getMessage()).isEqualTo("waiting");
    assertThat(out).filteredOn(c -> c.getType().equals("Ready")).hasSize(1);
  }

  @Test
  void keepsTheTransitionTimeWhenOnlyReasonAndMessageChange() {
    List<Condition> out =
        PolicyConditions.set(List.of(OLD_READY), "Ready", true, "ExternalEndpoint", "changed", 9L);
    Condition ready = PolicyConditions.find(out, "Ready").orElseThrow();

    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(ready.getReason()).isEqualTo("ExternalEndpoint");
    assertThat(ready.getMessage()).isEqualTo("changed");
    assertThat(ready.getObservedGeneration()).isEqualTo(9L);
  }

  @Test
  void movesTheTransitionTimeToNowWhenTheStatusFlipsEitherWay() {
    Instant before = Instant.now().minusSeconds(1);
    Condition falseReady =
        PolicyConditions.set(List.of(OLD_READY), "Ready", false, "Broken", "x", 5L).get(0);
    Condition trueDegraded =
        PolicyConditions.set(List.of(DEGRADED), "Degraded", true, "Crash", "y", 5L).get(0);
    Instant after = Instant.now().plusSeconds(1);

    for (Condition flipped : List.of(falseReady, trueDegraded)) {
      Instant moved = Instant.parse(flipped.getLastTransitionTime());
      assertThat(moved).isBetween(before, after);
    }
    assertThat(falseReady.getStatus()).isEqualTo("False");
    assertThat(trueDegraded.getStatus()).isEqualTo("True");
  }

  @Test
  void aNewConditionGetsTheCurrentTimeInRfc3339Seconds() {
    Condition ready = PolicyConditions.set(null, "Ready", true, "R", "m", 1L).get(0);
    Instant time = Instant.parse(ready.getLastTransitionTime());
    assertThat(Duration.between(time, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
    assertThat(ready.getLastTransitionTime()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
  }

  @Test
  void setsTheObservedGenerationOnEveryWrite() {
    List<Condition> first = PolicyConditions.set(List.of(), "Ready", true, "R", "m", 3L);
    List<Condition> second = PolicyConditions.set(first, "Ready", true, "R", "m", 4L);
    List<Condition> flipped = PolicyConditions.set(second, "Ready", false, "R", "m", 5L);

    assertThat(PolicyConditions.find(first, "Ready").orElseThrow().getObservedGeneration())
        .isEqualTo(3L);
    assertThat(PolicyConditions.find(second, "Ready").orElseThrow().getObservedGeneration())
        .isEqualTo(4L);
    assertThat(PolicyConditions.find(flipped, "Ready").orElseThrow().getObservedGeneration())
        .isEqualTo(5L);
  }

  @Test
  void settingTheSameConditionAgainIsANoOp() {
    List<Condition> once =
        PolicyConditions.set(List.of(OLD_READY, OTHER), "Ready", true, "Reconciled", "ok", 2L);
    List<Condition> twice = PolicyConditions.set(once, "Ready", true, "Reconciled", "ok", 2L);
    assertThat(twice).isEqualTo(once);
  }

  @Test
  void doesNotModifyTheGivenList() {
    List<Condition> current = new ArrayList<>(List.of(OLD_READY, OTHER));
    PolicyConditions.set(current, "Ready", false, "Broken", "x", 5L);
    PolicyConditions.set(current, "Degraded", true, "Crash", "y", 5L);
    assertThat(current).containsExactly(OLD_READY, OTHER);
    assertThat(OLD_READY.getStatus()).isEqualTo("True");
  }

  @Test
  void findsByTypeOnly() {
    assertThat(PolicyConditions.find(List.of(OTHER, OLD_READY), "Ready")).containsSame(OLD_READY);
    assertThat(PolicyConditions.find(List.of(OTHER), "Ready")).isEmpty();
    assertThat(PolicyConditions.find(null, "Ready")).isEmpty();
  }
}
