package io.traceroll.e2e.traces;

import io.traceroll.e2e.PinnedTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Jaeger v2, an OpenTelemetry Collector build with the tail_sampling processor, run from the binary
 * build.sh makes from Go modules: to validate collector configs and to run them.
 */
public final class CollectorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private CollectorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The cached Jaeger binary of versions.env, built (once, for minutes) when missing. */
  public static Path binary() throws IOException, InterruptedException {
    return PinnedTool.JAEGER.binary();
  }

  /** The outcome of a one-shot command such as {@code validate}: exit code and output. */
  public record Result(int exitCode, String output) {}

  public static Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(binary().toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("jaeger " + String.join(" ", args) + " hangs:\n" + output);
    }
    return new Result(process.exitValue(), output);
  }

  /** Starts a collector on a config file; the caller waits for its ports. */
  public static CollectorProcess start(String name, Path config)
      throws IOException, InterruptedException {
    Path log = Path.of("target", name + "-" + System.currentTimeMillis() + ".log");
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(binary().toString(), "--config=file:" + config.toAbsolutePath())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new CollectorProcess(process, log);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String logs() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  public static int freePort() throws IOException {
    return io.traceroll.e2e.FreePorts.next();
  }

  /** Stops with SIGTERM, and kills what has not stopped within 15 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
