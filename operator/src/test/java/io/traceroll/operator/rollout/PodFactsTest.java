package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodFactsTest {

  @ParameterizedTest
  @CsvSource({"Running,false", "Pending,false", "Succeeded,true", "Failed,true"})
  void finishedPodsAreNoLongerTheWorkloadsPods(String phase, boolean gone) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .endMetadata()
            .withNewStatus()
            .withPhase(phase)
            .endStatus()
            .build();
    assertThat(PodFacts.of(pod).gone()).isEqualTo(gone);
  }

  @Test
  void aPodStuckInTheAgentsInitContainerIsFailing() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addToInitContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("traceroll-agent-init")
                    .withRestartCount(0)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CreateContainerConfigError")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();
    assertThat(PodFacts.of(pod).failingReason())
        .isEqualTo("traceroll-agent-init: CreateContainerConfigError");
  }
}
