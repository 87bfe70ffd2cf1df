package io.traceroll.e2e.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** A real Jaeger v2 (memory storage, free loopback ports) that tests send traces to and query. */
public final class JaegerBackend implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Path VERSIONS = Path.of("local-cluster", "versions.env");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path dir;
  private final Path log;
  private final JaegerConfig config;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JaegerBackend(Process process, Path dir, Path log, JaegerConfig config) {
    this.process = process;
    this.dir = dir;
    this.log = log;
    this.config = config;
  }

  /** Starts Jaeger and returns once its OTLP receivers and query API accept connections. */
  public static JaegerBackend start() throws IOException, InterruptedException {
    Path binary = binary();
    JaegerConfig config = new JaegerConfig(freePort(), freePort(), freePort(), freePort());
    Path dir = Files.createTempDirectory("traceroll-jaeger-");
    Path configFile = Files.writeString(dir.resolve("config.yaml"), config.yaml());
    Path log = Path.of("target", "jaeger-" + System.currentTimeMillis() + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    Process process =
        new ProcessBuilder(binary.toString(), "--config=" + configFile)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    JaegerBackend jaeger = new JaegerBackend(process, dir, log, config);
    try {
      jaeger.awaitListening();
    } catch (RuntimeException | InterruptedException e) {
      jaeger.close();
      throw e;
    }
    return jaeger;
  }

  public String otlpGrpcEndpoint() {
    return "http://127.0.0.1:" + config.otlpGrpcPort();
  }

  public String otlpHttpEndpoint() {
    return "http://127.0.0.1:" + config.otlpHttpPort();
  }

  public String queryUrl() {
    return "http://127.0.0.1:" + config.queryHttpPort();
  }

  /** The services that have reported spans. */
  public List<String> services() {
    List<String> services = new ArrayList<>();
    get("/api/services").path("data").forEach(s -> services.add(s.asText()));
    return services;
  }

  /** Up to 100 traces of the last hour that contain a span of this service. */
  public List<JaegerTrace> traces(String service) {
    String query =
        "/api/traces?lookback=1h&limit=100&service="
            + URLEncoder.encode(service, StandardCharsets.UTF_8);
    List<JaegerTrace> traces = new ArrayList<>();
    get(query).path("data").forEach(t -> traces.add(JaegerTrace.fromJson(t)));
    return traces;
  }

  /** The trace with this id (32 hex digits), or empty while Jaeger has none of its spans. */
  public Optional<JaegerTrace> trace(String traceId) {
    JsonNode data = get("/api/traces/" + traceId).path("data");
    return data.isArray() && !data.isEmpty()
        ? Optional.of(JaegerTrace.fromJson(data.get(0)))
        : Optional.empty();
  }

  /** Jaeger's own log, for failure messages. */
  public String logs() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no jaeger log: " + e.getMessage() + ")";
    }
  }

  /** Stops with SIGTERM (kills after 10 s) and removes the generated configuration. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any status but 200 and 404 (Jaeger's "trace not found", which carries a JSON body) fails. */
  private JsonNode get(String pathAndQuery) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(queryUrl() + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 && response.statusCode() != 404) {
        throw new IllegalStateException(
            "GET " + pathAndQuery + " -> " + response.statusCode() + ": " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + pathAndQuery + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    int[] ports = {config.otlpGrpcPort(), config.otlpHttpPort(), config.queryHttpPort()};
    while (!IntStream.of(ports).allMatch(JaegerBackend::accepts)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("jaeger exited early:\n" + logs());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "jaeger not listening within " + START_TIMEOUT + ":\n" + logs());
      }
      Thread.sleep(50);
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The binary build.sh caches, at the version pinned in versions.env. */
  private static Path binary() throws IOException {
    String version =
        Files.readAllLines(VERSIONS).stream()
            .filter(line -> line.startsWith("JAEGER_VERSION="))
            .map(line -> line.substring("JAEGER_VERSION=".length()).trim())
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no JAEGER_VERSION in " + VERSIONS));
    String cache = System.getenv("TRACEROLL_CACHE");
    Path root =
        cache != null && !cache.isEmpty()
            ? Path.of(cache)
            : Path.of(System.getProperty("user.home"), ".cache", "traceroll");
    Path binary = root.resolve("bin").resolve("jaeger-" + version);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          binary
              + " is missing: build it with `bash e2e/local-cluster/build.sh jaeger`"
              + " (make test does this)");
    }
    return binary;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
