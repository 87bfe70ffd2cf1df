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
   * HotSpot's output for the probe's options, as `java -cp /tmp Main` prints it with them set (and
   * no JAVA_TOOL_OPTIONS of the image's).
   */
  static final String HOTSPOT =
      "NOTE: Picked up JDK_JAVA_OPTIONS: -Xtraceroll-image-probe\n"
          + "Picked up _JAVA_OPTIONS: -Xtraceroll-image-probe\n"
          + "Unrecognized option: -Xtraceroll-image-probe\n"
          + "Error: Could not create the Java Virtual Machine.\n"
          + "Error: A fatal exception has occurred. Program will exit.\n";

  /** The same where the image sets JAVA_TOOL_OPTIONS, loading an agent of its own. */
  static final String HOTSPOT_WITH_AGENT =
      "NOTE: Picked up JDK_JAVA_OPTIONS: -Xtraceroll-image-probe\n"
          + "Picked up JAVA_TOOL_OPTIONS: -Dshop.image.option=kept"
          + " -javaagent:/opt/dd-java-agent.jar\n"
          + "Picked up _JAVA_OPTIONS: -Xtraceroll-image-probe\n"
          + "Unrecognized option: -Xtraceroll-image-probe\n"
          + "Error: Could not create the Java Virtual Machine.\n";

  static final String OPENJ9 =
      "JVMJ9VM007E Command-line option unrecognised: -Xtraceroll-image-probe\n"
          + "Error: Could not create the Java Virtual Machine.\n";

  @Test
  void aJvmRefusingTheOptionIsAJvmHotSpotOrOpenJ9() {
    for (String output : new String[] {HOTSPOT, OPENJ9}) {
      ProbeVerdict v = ProbeVerdict.of(terminated(1, output, null));
      assertThat(v.outcome()).isEqualTo(Outcome.JUDGED);
      assertThat(v.verdict()).isEqualTo(Verdict.JVM);
      assertThat(v.evidence()).isEqualTo("a JVM refused the probe's option (exit 1)");
      assertThat(v.agent()).isNull();
    }
  }

  @Test
  void theImagesOwnOptionsAndTheTracerAmongThemAreSeen() {
    ProbeVerdict v = ProbeVerdict.of(terminated(1, HOTSPOT_WITH_AGENT, null));

    assertThat(v.verdict()).isEqualTo(Verdict.JVM);
    assertThat(v.evidence())
        .isEqualTo(
            "a JVM refused the probe's option (exit 1); the image's JAVA_TOOL_OPTIONS:"
                + " -Dshop.image.option=kept -javaagent:/opt/dd-java-agent.jar");
    assertThat(v.agent()).isEqualTo("/opt/dd-java-agent.jar");
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
