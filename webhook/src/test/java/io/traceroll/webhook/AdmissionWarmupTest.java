package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdmissionWarmupTest {
  @Test
  void theWarmupPodTakesTheInjectingPathEveryRound() {
    // A warm-up whose pod were skipped would load and compile little of what a real admission runs.
    assertThat(AdmissionWarmup.run(3)).isEqualTo(3);
  }
}
