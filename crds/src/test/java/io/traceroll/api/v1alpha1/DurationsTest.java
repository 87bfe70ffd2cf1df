package io.traceroll.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesCompoundGoDurations() {
    assertThat(Durations.parse("168h")).isEqualTo(Duration.ofHours(168));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m5s")).isEqualTo(Duration.ofSeconds(125));
  }

  @Test
  void refusesTextThatIsNotADuration() {
    for (String bad : new String[] {"", "5", "5d", "-1s", "1.5h", "s"}) {
      assertThatThrownBy(() -> Durations.parse(bad)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
