package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which workloads a pod-template patch does not roll, and why. */
class WorkloadTest {

  static Stream<Arguments> workloads() {
    return Stream.of(
        Arguments.of(deployment(false), null),
        Arguments.of(deployment(true), "the Deployment is paused"),
        Arguments.of(statefulSet("RollingUpdate", 0), null),
        Arguments.of(
            statefulSet("RollingUpdate", 2),
            "the StatefulSet's rolling update is partitioned at 2"),
        Arguments.of(statefulSet("OnDelete", 0), "the StatefulSet updates OnDelete"),
        Arguments.of(daemonSet("RollingUpdate"), null),
        Arguments.of(daemonSet("OnDelete"), "the DaemonSet updates OnDelete"));
  }

  @ParameterizedTest
  @MethodSource("workloads")
  void rollBlocker(HasMetadata workload, String blocker) {
    assertThat(Workload.of(workload).rollBlocker()).isEqualTo(blocker);
  }

  private static HasMetadata deployment(boolean paused) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("d")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withPaused(paused)
        .withNewTemplate()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HasMetadata statefulSet(String type, int partition) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("s")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withNewUpdateStrategy()
        .withType(type)
        .withNewRollingUpdate()
        .withPartition(partition)
        .endRollingUpdate()
        .endUpdateStrategy()
        .withNewTemplate()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HasMetadata daemonSet(String type) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName("ds")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withNewUpdateStrategy()
        .withType(type)
        .endUpdateStrategy()
        .withNewTemplate()
        .endTemplate()
        .endSpec()
        .build();
  }
}
