package io.traceroll.e2e.traces;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM running {@link DemoService} as a pod would run it: a clean environment holding only what
 * the caller passes (the agent comes in through JAVA_TOOL_OPTIONS, as the webhook injects it), and
 * its output in a log file the test can read.
 */
public final class AgentJvm implements AutoCloseable {
  private static final Path AGENT_JAR = Path.of("target", "otel", "opentelemetry-javaagent.jar");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern READY = Pattern.compile("(?m)^READY (\\d+)$");

  /**
   * Start-up speed for a short-lived test JVM (C1 only saves about a second per start with the
   * agent); not part of what a pod is given. CDS is left at its default: the agent appends to the
   * boot class path, which limits sharing to JDK boot classes whatever the flags say.
   */
  private static final List<String> LAUNCHER_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private AgentJvm(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** The OpenTelemetry Java agent the e2e build copies from Maven Central. */
  public static Path agentJar() {
    Path jar = AGENT_JAR.toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build the e2e module (mvn verify)");
    }
    return jar;
  }

  /** Starts a DemoService without a downstream and waits until it listens. */
  public static AgentJvm start(String name, Map<String, String> env)
      throws IOException, InterruptedException {
    return launch(name, env, List.of(), List.of());
  }

  /** Starts a DemoService whose /checkout calls {@code downstream}/hello. */
  public static AgentJvm start(String name, Map<String, String> env, URI downstream)
      throws IOException, InterruptedException {
    return launch(name, env, List.of(), List.of(downstream.toString()));
  }

  /**
   * Starts a DemoService with extra launcher options (what a node, not the pod spec, decides: e.g.
   * {@code -Djdk.net.hosts.file} standing in for cluster DNS); {@code downstream} may be null.
   */
  public static AgentJvm start(
      String name, Map<String, String> env, URI downstream, List<String> jvmOptions)
      throws IOException, InterruptedException {
    return launch(
        name, env, jvmOptions, downstream == null ? List.of() : List.of(downstream.toString()));
  }

  /** An address of this service, e.g. {@code url("/checkout")}. */
  public URI url(String path) {
    try {
      return new URI("http", null, "127.0.0.1", port, path, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(path, e);
    }
  }

  /** GETs the path and returns the body; any status but 200 fails with this JVM's log. */
  public String get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " -> " + response.statusCode() + " " + response.body() + "\n" + logs());
    }
    return response.body();
  }

  /** Everything the JVM printed: the agent's start-up lines and DemoService's log. */
  public String logs() {
    return read(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static AgentJvm launch(
      String name, Map<String, String> env, List<String> jvmOptions, List<String> args)
      throws IOException, InterruptedException {
    Path log = Path.of("target", "agent-jvm-" + name + "-" + System.currentTimeMillis() + ".log");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(LAUNCHER_OPTIONS);
    command.addAll(jvmOptions);
    command.add("-Dlogback.configurationFile=" + resource("demo-service-logback.xml"));
    command.addAll(List.of("-cp", testClassPath(), DemoService.class.getName(), "0"));
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    // Nothing of the test's own environment (OTEL_*, JAVA_TOOL_OPTIONS) leaks in.
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", System.getProperty("user.home"));
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      return new AgentJvm(process, log, awaitReady(process, log));
    } catch (RuntimeException | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static int awaitReady(Process process, Path log) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      String output = read(log);
      Matcher ready = READY.matcher(output);
      if (ready.find()) {
        return Integer.parseInt(ready.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("JVM exited with " + process.exitValue() + ":\n" + output);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no READY within " + START_TIMEOUT + ":\n" + output);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Under surefire java.class.path may be a manifest-only booter jar, so the test class path
   * surefire records is preferred; run from an IDE, java.class.path is the real one.
   */
  private static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static String resource(String name) {
    try {
      return Path.of(AgentJvm.class.getResource("/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(name, e);
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
