package io.traceroll.e2e.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** A real Jaeger v2 (memory storage, free loopback ports) that tests send traces to and query. */
public final class JaegerBackend implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CollectorProcess process;
  private final Path dir;
  private final JaegerConfig config;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private JaegerBackend(CollectorProcess process, Path dir, JaegerConfig config) {
    this.process = process;
    this.dir = dir;
    this.config = config;
  }

  /** Starts Jaeger and returns once its OTLP receivers and query API accept connections. */
  public static JaegerBackend start() throws IOException, InterruptedException {
    JaegerConfig config =
        new JaegerConfig(
            CollectorProcess.freePort(),
            CollectorProcess.freePort(),
            CollectorProcess.freePort(),
            CollectorProcess.freePort());
    Path dir = Files.createTempDirectory("traceroll-jaeger-");
    Path configFile = Files.writeString(dir.resolve("config.yaml"), config.yaml());
    JaegerBackend jaeger =
        new JaegerBackend(CollectorProcess.start("jaeger", configFile), dir, config);
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
    return process.logs();
  }

  /** Stops Jaeger and removes the generated configuration. */
  @Override
  public void close() throws InterruptedException {
    process.close();
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
}
