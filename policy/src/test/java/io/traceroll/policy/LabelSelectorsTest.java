package io.traceroll.policy;

import static io.traceroll.policy.TestPolicies.expression;
import static io.traceroll.policy.TestPolicies.requirement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorsTest {
  @Test
  void matchLabelsNeedEveryPair() {
    LabelSelector selector =
        new LabelSelectorBuilder().addToMatchLabels(Map.of("a", "1", "b", "2")).build();
    assertThat(LabelSelectors.matches(selector, Map.of("a", "1", "b", "2", "c", "3"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("a", "1"))).isFalse();
    assertThat(LabelSelectors.matches(selector, null)).isFalse();
  }

  @Test
  void expressionsFollowKubernetesSemantics() {
    assertThat(
            LabelSelectors.matches(expression("env", "In", "prod", "stage"), Map.of("env", "prod")))
        .isTrue();
    assertThat(LabelSelectors.matches(expression("env", "In", "prod"), Map.of())).isFalse();
    assertThat(LabelSelectors.matches(expression("env", "NotIn", "dev"), Map.of())).isTrue();
    assertThat(LabelSelectors.matches(expression("env", "NotIn", "dev"), Map.of("env", "dev")))
        .isFalse();
    assertThat(LabelSelectors.matches(expression("env", "Exists"), Map.of("env", ""))).isTrue();
    assertThat(LabelSelectors.matches(expression("env", "DoesNotExist"), Map.of("env", "x")))
        .isFalse();
  }

  @Test
  void nullOrEmptySelectorMatchesEverything() {
    assertThat(LabelSelectors.matches(null, Map.of())).isTrue();
    assertThat(LabelSelectors.matches(new LabelSelector(), Map.of("x", "y"))).isTrue();
  }

  static LabelSelector expressions(LabelSelectorRequirement... requirements) {
    return new LabelSelectorBuilder().addToMatchExpressions(requirements).build();
  }

  @Test
  void matchLabelsCompareValuesExactly() {
    LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("env", "prod").build();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "Prod"))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod-eu"))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("env", ""))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("tier", "prod"))).isFalse();
  }

  @Test
  void inMatchesOnlyAListedValueOfAPresentKey() {
    LabelSelector in = expression("env", "In", "prod", "stage");
    assertThat(LabelSelectors.matches(in, Map.of("env", "stage"))).isTrue();
    assertThat(LabelSelectors.matches(in, Map.of("env", "dev"))).isFalse();
    assertThat(LabelSelectors.matches(in, Map.of("other", "prod"))).isFalse();
    assertThat(LabelSelectors.matches(in, null)).isFalse();
  }

  @Test
  void notInMatchesAnAbsentKeyOrAnUnlistedValue() {
    LabelSelector notIn = expression("env", "NotIn", "dev", "test");
    assertThat(LabelSelectors.matches(notIn, Map.of("env", "prod"))).isTrue();
    assertThat(LabelSelectors.matches(notIn, Map.of("env", "test"))).isFalse();
    assertThat(LabelSelectors.matches(notIn, Map.of("tier", "web"))).isTrue();
    assertThat(LabelSelectors.matches(notIn, null)).isTrue();
  }

  @Test
  void existsNeedsTheKeyWhateverItsValue() {
    LabelSelector exists = expression("env", "Exists");
    assertThat(LabelSelectors.matches(exists, Map.of("env", "anything"))).isTrue();
    assertThat(LabelSelectors.matches(exists, Map.of("environment", "prod"))).isFalse();
    assertThat(LabelSelectors.matches(exists, Map.of())).isFalse();
    assertThat(LabelSelectors.matches(exists, null)).isFalse();
  }

  @Test
  void doesNotExistNeedsTheKeyAbsent() {
    LabelSelector absent = expression("env", "DoesNotExist");
    assertThat(LabelSelectors.matches(absent, Map.of())).isTrue();
    assertThat(LabelSelectors.matches(absent, Map.of("tier", "web"))).isTrue();
    assertThat(LabelSelectors.matches(absent, Map.of("env", ""))).isFalse();
    assertThat(LabelSelectors.matches(absent, null)).isTrue();
  }

  @Test
  void everyExpressionMustHold() {
    LabelSelector selector =
        expressions(
            requirement("env", "In", "prod"),
            requirement("tier", "Exists"),
            requirement("legacy", "DoesNotExist"));
    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod", "tier", "web"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod"))).isFalse();
    assertThat(
            LabelSelectors.matches(selector, Map.of("env", "prod", "tier", "web", "legacy", "y")))
        .isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "dev", "tier", "web"))).isFalse();
  }

  @Test
  void matchLabelsAndExpressionsCombineWithAnd() {
    LabelSelector selector =
        new LabelSelectorBuilder()
            .addToMatchLabels("team", "shop")
            .addToMatchExpressions(requirement("env", "NotIn", "dev"))
            .build();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "shop", "env", "prod"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "shop"))).isTrue();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "shop", "env", "dev"))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("team", "search", "env", "prod"))).isFalse();
  }

  @Test
  void aNullSelectorMatchesEveryLabelSetIncludingNone() {
    assertThat(LabelSelectors.matches(null, null)).isTrue();
    assertThat(LabelSelectors.matches(null, Map.of("a", "b"))).isTrue();
  }

  @Test
  void anEmptySelectorMatchesNullLabels() {
    LabelSelector empty =
        new LabelSelectorBuilder()
            .withMatchLabels(new HashMap<>())
            .withMatchExpressions(List.of())
            .build();
    assertThat(LabelSelectors.matches(empty, null)).isTrue();
    assertThat(LabelSelectors.matches(empty, Map.of("x", "y"))).isTrue();
  }

  @Test
  void nullLabelsFailAnyMatchLabels() {
    LabelSelector selector =
        new LabelSelectorBuilder().addToMatchLabels("traceroll.io/inject", "enabled").build();
    assertThat(LabelSelectors.matches(selector, null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"in", "Equals", "Gt", ""})
  void anUnknownOperatorIsRejected(String operator) {
    LabelSelector selector = expression("env", operator, "prod");
    assertThatThrownBy(() -> LabelSelectors.matches(selector, Map.of("env", "prod")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operator");
  }
}
