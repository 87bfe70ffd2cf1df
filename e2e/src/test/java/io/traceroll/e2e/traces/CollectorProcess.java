package io.traceroll.e2e.traces;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jaeger v2, an OpenTelemetry Collector build with the tail_sampling processor, run from the binary
 * build.sh makes from Go modules: to validate collector configs and to run them.
 */
public final class CollectorProcess implements AutoCloseable {
  private static final Path LOCAL_CLUSTER = Path.of("local-cluster");

  private final Process process;
  private final Path log;

  private CollectorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The cached Jaeger binary of versions.env, built (once, for minutes) when missing. */
  public static synchronized Path binary() throws IOException, InterruptedException {
    String version = pinnedVersion();
    String cache = System.getenv("TRACEROLL_CACHE");
    Path bin =
        (cache == null
                ? Path.of(System.getProperty("user.home"), ".cache", "traceroll")
                : Path.of(cache))
            .resolve("bin")
            .resolve("jaeger-" + version);
    if (!Files.isExecutable(bin)) {
      Path buildLog = Path.of("target", "jaeger-build.log");
      Files.createDirectories(buildLog.getParent());
      Process build =
          new ProcessBuilder("bash", LOCAL_CLUSTER.resolve("build.sh").toString(), "jaeger")
              .redirectErrorStream(true)
              .redirectOutput(buildLog.toFile())
              .start();
      if (!build.waitFor(40, TimeUnit.MINUTES)
          || build.exitValue() != 0
          || !Files.isExecutable(bin)) {
        build.destroyForcibly();
        throw new IllegalStateException(
            "could not build " + bin + ":\n" + Files.readString(buildLog));
      }
    }
    return bin;
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
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String pinnedVersion() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^JAEGER_VERSION=(\\S+)$")
            .matcher(Files.readString(LOCAL_CLUSTER.resolve("versions.env")));
    if (!m.find()) {
      throw new IllegalStateException("no JAEGER_VERSION in versions.env");
    }
    return m.group(1);
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
