package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {
  static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder()
        .addToMatchExpressions(
            new LabelSelectorRequirementBuilder()
                .withKey(key)
                .withOperator(operator)
                .withValues(values)
                .build())
        .build();
  }

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
}
