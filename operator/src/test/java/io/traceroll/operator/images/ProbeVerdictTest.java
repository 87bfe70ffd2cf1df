package io.traceroll.operator.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.traceroll.operator.images.ProbeVerdict.Outcome;
import io.traceroll.policy.JvmDetection.Verdict;
import org.junit.jupiter.api.Test;

/** What a probe pod's status says, as the kubelet reports it for each kind of program. */
class ProbeVerdictTest {
  /**
   * HotSpot's output for the probe's option, as `JAVA_TOOL_OPTIONS=... java -version` prints it.
   */
  static final String HOTSPOT =
      "Picked up JAVA_TOOL_OPTIONS: -Xtraceroll-image-probe\n"
          + "Unrecognized option: -Xtraceroll-image-probe\n"
          + "Error: Could not create the Java Virtual Machine.\n"
          + "Error: A fatal exception has occurred. Program will exit.\n";

  static final String OPENJ9 =
      "JVMJ9VM007E Command-line option unrecognised: -Xtraceroll-image-probe\n"
          + "Error: Could not create the Java Virtual Machine.\n";

  @Test
  void aJvmRefusingTheOptionIsAJvmHotSpotOrOpenJ9() {
    for (String output : new String[] {HOTSPOT, OPENJ9}) {
      ProbeVerdict v = ProbeVerdict.of(terminated(1, output, null));
      assertThat(v.outcome()).isEqualTo(Outcome.JUDGED);
      assertThat(v.verdict()).isEqualTo(Verdict.JVM);
      assertThat(v.evidence()).contains("refused the probe's option (exit 1)");
    }
  }

  @Test
  void aProgramThatExitsOrRunsOnIsNoJvm() {
    ProbeVerdict exited =
        ProbeVerdict.of(terminated(2, "flag provided but not defined: -config\n", null));
    assertThat(exited.verdict()).isEqualTo(Verdict.NOT_JVM);
    assertThat(exited.evidence()).isEqualTo("exited 2 without starting a JVM");
    assertThat(ProbeVerdict.of(terminated(0, null, null)).verdict()).isEqualTo(Verdict.NOT_JVM);

    ProbeVerdict killed =
        ProbeVerdict.of(terminated(137, "listening on :8080", "DeadlineExceeded"));
    assertThat(killed.verdict()).isEqualTo(Verdict.NOT_JVM);
    assertThat(killed.evidence()).contains("deadline");

    Pod stillRunning =
        pod(
            new ContainerStateBuilder().withNewRunning().endRunning().build(),
            "Failed",
            "DeadlineExceeded");
    assertThat(ProbeVerdict.of(stillRunning).verdict()).isEqualTo(Verdict.NOT_JVM);
  }

  @Test
  void aContainerThatNeverStartsIsAFailureAndOneStartingIsRunning() {
    ProbeVerdict gone =
        ProbeVerdict.of(
            pod(
                new ContainerStateBuilder()
                    .withNewWaiting()
                    .withReason("ErrImageNeverPull")
                    .withMessage("image is not present")
                    .endWaiting()
                    .build(),
                "Pending",
                null));
    assertThat(gone.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(gone.evidence()).isEqualTo("ErrImageNeverPull: image is not present");

    Pod creating =
        pod(
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .build(),
            "Pending",
            null);
    assertThat(ProbeVerdict.of(creating).outcome()).isEqualTo(Outcome.RUNNING);
    assertThat(ProbeVerdict.of(new PodBuilder().build()).outcome()).isEqualTo(Outcome.RUNNING);
    Pod ended =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("Evicted")
            .endStatus()
            .build();
    assertThat(ProbeVerdict.of(ended).outcome()).isEqualTo(Outcome.FAILED);
  }

  static Pod terminated(int exitCode, String message, String podReason) {
    return pod(
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(exitCode)
            .withMessage(message)
            .endTerminated()
            .build(),
        "Failed",
        podReason);
  }

  static Pod pod(
      io.fabric8.kubernetes.api.model.ContainerState state, String phase, String reason) {
    return new PodBuilder()
        .withNewStatus()
        .withPhase(phase)
        .withReason(reason)
        .withContainerStatuses(
            new ContainerStatusBuilder().withName(ProbeVerdict.CONTAINER).withState(state).build())
        .endStatus()
        .build();
  }
}
