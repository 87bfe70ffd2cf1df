package io.traceroll.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The operator as a real process, started from the built jar against the test cluster. */
final class OperatorProcess implements AutoCloseable {
  /** The jar the build made, or $TRACEROLL_JAR (benchmarks compare builds). */
  static final Path JAR =
      Path.of(
          System.getenv()
              .getOrDefault("TRACEROLL_JAR", "../operator/target/traceroll-operator.jar"));

  /** The operator's listening ports, kept across a restart as a pod's would be. */
  record Ports(int health, int webhook, int samplingGrpc, int samplingHttp) {
    static Ports free() throws IOException {
      return new Ports(freePort(), freePort(), freePort(), freePort());
    }
  }

  private final Process process;
  private final Path log;
  private final Ports ports;
  private final String namespace;
  private final Map<String, String> extraEnv;

  private OperatorProcess(
      Process process, Path log, Ports ports, String namespace, Map<String, String> extraEnv) {
    this.process = process;
    this.log = log;
    this.ports = ports;
    this.namespace = namespace;
    this.extraEnv = extraEnv;
  }

  /** Starts the operator and waits until /readyz answers 200. */
  static OperatorProcess start(String namespace, Map<String, String> extraEnv) throws Exception {
    return start(namespace, extraEnv, Ports.free());
  }

  /** Stops this process and starts a new one on the same ports, as a pod restart would. */
  OperatorProcess restart() throws Exception {
    close();
    return start(namespace, extraEnv, ports);
  }

  /** Where the sampling server answers gRPC and HTTP on loopback. */
  Ports ports() {
    return ports;
  }

  /** The URL the API server calls, as registered in the webhook configuration. */
  String webhookUrl() {
    return "https://127.0.0.1:" + ports.webhook() + "/mutate";
  }

  private static OperatorProcess start(String namespace, Map<String, String> extraEnv, Ports ports)
      throws Exception {
    return start(namespace, extraEnv, ports, JAR, List.of("-Xmx256m"));
  }

  /**
   * Starts a given operator jar with given JVM options (benchmarks compare builds, and run the
   * options of the operator's Deployment) and waits until /readyz answers 200.
   */
  static OperatorProcess start(
      String namespace, Map<String, String> extraEnv, Ports ports, Path jar, List<String> jvm)
      throws Exception {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath() + " is missing: build the operator first");
    }
    Path log = Path.of("target", "operator-" + System.currentTimeMillis() + ".log");
    Files.createDirectories(log.getParent());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                Stream.of(List.of(java), jvm, List.of("-jar", jar.toString()))
                    .flatMap(List::stream)
                    .toList())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("TRACEROLL_NAMESPACE", namespace);
    builder.environment().put("TRACEROLL_HEALTH_PORT", String.valueOf(ports.health()));
    builder.environment().put("TRACEROLL_RECHECK_INTERVAL", "2s");
    // Out of cluster the API server reaches the webhook by URL on loopback.
    builder.environment().put("TRACEROLL_WEBHOOK_PORT", String.valueOf(ports.webhook()));
    builder.environment().put("TRACEROLL_WEBHOOK_BIND", "127.0.0.1");
    builder
        .environment()
        .put("TRACEROLL_WEBHOOK_URL", "https://127.0.0.1:" + ports.webhook() + "/mutate");
    builder.environment().put("TRACEROLL_SAMPLING_GRPC_PORT", String.valueOf(ports.samplingGrpc()));
    builder.environment().put("TRACEROLL_SAMPLING_HTTP_PORT", String.valueOf(ports.samplingHttp()));
    builder.environment().putAll(extraEnv);
    OperatorProcess operator =
        new OperatorProcess(builder.start(), log, ports, namespace, extraEnv);
    operator.awaitReady(Duration.ofSeconds(90));
    return operator;
  }

  String logs() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no operator log: " + e.getMessage() + ")";
    }
  }

  int healthPort() {
    return ports.health();
  }

  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.health() + path))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }

  /**
   * How many admissions the operator answered with this result (injected, unchanged, skipped, ...),
   * from its metric traceroll_admissions_total.
   */
  double admissions(String result) throws IOException, InterruptedException {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^traceroll_admissions_total\\{result=\"" + result + "\",?}\\s+(\\S+)$")
            .matcher(get("/metrics"));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  private void awaitReady(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("operator exited early:\n" + logs());
      }
      try {
        if (get("/readyz").startsWith("200")) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep waiting
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("operator not ready within " + timeout + ":\n" + logs());
  }

  /** Stops with SIGTERM, as Kubernetes does, and waits for the graceful shutdown. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  private static int freePort() throws IOException {
    return FreePorts.next();
  }
}
