package io.traceroll.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pinned tool run as a long-lived process (OLM's operators, opm serve) with the test's
 * environment, KUBECONFIG included; its output goes to a log under target/ that a failing test
 * prints. Stopped with SIGTERM, as Kubernetes stops a container.
 */
final class ToolProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ToolProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ToolProcess start(PinnedTool tool, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(tool.binary().toString()));
    command.addAll(List.of(args));
    Path log = Path.of("target", tool.name() + "-" + System.currentTimeMillis() + ".log");
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ToolProcess(tool.name(), process, log);
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String logs() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no " + name + " log: " + e.getMessage() + ")";
    }
  }

  /** Fails with the log when the process has exited. */
  void assertAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + ":\n" + logs());
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
