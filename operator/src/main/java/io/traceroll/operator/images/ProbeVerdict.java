package io.traceroll.operator.images;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.policy.JvmDetection.Verdict;
import io.traceroll.policy.TracingAgents;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a probe pod's status says of its image. The probe runs the image's program with an option no
 * JVM knows in the variables JVMs read before anything else ({@link #OPTION_VARIABLES}; the image's
 * own JAVA_TOOL_OPTIONS is left as it is): a JVM (HotSpot or OpenJ9) refuses the option and exits
 * before a line of the application, or of an agent, runs, and the kubelet puts the end of its
 * output in the container's termination message, with HotSpot's "Picked up JAVA_TOOL_OPTIONS: ..."
 * line that shows the image's own options (and a tracing agent among them). Any other program
 * ignores the variables and runs until it exits or the pod's deadline ends it. Read from the pod's
 * status alone (no log access needed).
 *
 * @param agent the tracing agent the image's JAVA_TOOL_OPTIONS loads (null: none seen)
 */
public record ProbeVerdict(Outcome outcome, Verdict verdict, String evidence, String agent) {

  /** Whether the probe told something, failed to run (try again later), or is still running. */
  public enum Outcome {
    JUDGED,
    FAILED,
    RUNNING
  }

  /** The option the probe adds: unknown to every JVM, so fatal before the application starts. */
  static final String OPTION = "-Xtraceroll-image-probe";

  /**
   * Where the probe puts it: HotSpot reads _JAVA_OPTIONS, OpenJ9 IBM_JAVA_OPTIONS, and the java
   * launcher of JDK 9 and later JDK_JAVA_OPTIONS, whatever the VM.
   */
  static final List<String> OPTION_VARIABLES =
      List.of("_JAVA_OPTIONS", "IBM_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

  private static final java.util.regex.Pattern TOOL_OPTIONS =
      java.util.regex.Pattern.compile("(?m)^Picked up JAVA_TOOL_OPTIONS: ?(.*)$");

  /** The probe's container, by name. */
  static final String CONTAINER = "probe";

  /** What JVMs print when they read JAVA_TOOL_OPTIONS or refuse an option in it. */
  private static final List<String> JVM_SAYS =
      List.of(
          "Picked up _JAVA_OPTIONS",
          "Picked up JDK_JAVA_OPTIONS",
          "Picked up JAVA_TOOL_OPTIONS",
          "Unrecognized option: " + OPTION,
          "unrecognised: " + OPTION,
          "Could not create the Java Virtual Machine");

  /** Waiting reasons after which the container will never start. */
  private static final Set<String> NEVER_STARTS =
      Set.of(
          "ErrImageNeverPull",
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError",
          "CrashLoopBackOff");

  static ProbeVerdict running() {
    return new ProbeVerdict(Outcome.RUNNING, null, "running", null);
  }

  static ProbeVerdict failed(String why) {
    return new ProbeVerdict(Outcome.FAILED, null, why, null);
  }

  static ProbeVerdict judged(Verdict verdict, String evidence) {
    return new ProbeVerdict(Outcome.JUDGED, verdict, evidence, null);
  }

  public static ProbeVerdict of(Pod pod) {
    var status = pod.getStatus();
    Optional<ContainerStatus> container =
        status == null || status.getContainerStatuses() == null
            ? Optional.empty()
            : status.getContainerStatuses().stream()
                .filter(c -> CONTAINER.equals(c.getName()))
                .findFirst();
    ContainerStateTerminated terminated =
        container.map(c -> c.getState() == null ? null : c.getState().getTerminated()).orElse(null);
    boolean deadline = status != null && "DeadlineExceeded".equals(status.getReason());
    if (terminated != null) {
      String message = terminated.getMessage() == null ? "" : terminated.getMessage();
      if (JVM_SAYS.stream().anyMatch(message::contains)) {
        String evidence =
            "a JVM refused the probe's option (exit " + terminated.getExitCode() + ")";
        var options = TOOL_OPTIONS.matcher(message);
        if (!options.find()) {
          return judged(Verdict.JVM, evidence);
        }
        String own = options.group(1).trim();
        return new ProbeVerdict(
            Outcome.JUDGED,
            Verdict.JVM,
            evidence + "; the image's JAVA_TOOL_OPTIONS: " + own,
            TracingAgents.inOptions(own).orElse(null));
      }
      return judged(
          Verdict.NOT_JVM,
          deadline
              ? "ran until the probe's deadline without starting a JVM"
              : "exited " + terminated.getExitCode() + " without starting a JVM");
    }
    if (deadline
        && container
            .map(c -> c.getState() != null && c.getState().getRunning() != null)
            .orElse(false)) {
      return judged(Verdict.NOT_JVM, "ran until the probe's deadline without starting a JVM");
    }
    ContainerStateWaiting waiting =
        container.map(c -> c.getState() == null ? null : c.getState().getWaiting()).orElse(null);
    if (waiting != null && NEVER_STARTS.contains(waiting.getReason())) {
      return failed(
          waiting.getReason() + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()));
    }
    if (status != null
        && ("Failed".equals(status.getPhase()) || "Succeeded".equals(status.getPhase()))) {
      return failed(
          "the probe pod ended without its container's result ("
              + (status.getReason() == null ? status.getPhase() : status.getReason())
              + ")");
    }
    return running();
  }
}
