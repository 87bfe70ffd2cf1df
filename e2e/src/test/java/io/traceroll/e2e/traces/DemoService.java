package io.traceroll.e2e.traces;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload of the traces tests: a plain JDK HTTP app with nothing of OpenTelemetry in it, so
 * every span and trace id in its output comes from the agent. Arguments: the port (0 picks a free
 * one) and optionally the base URL of a downstream DemoService. Prints {@code READY <port>}.
 */
public final class DemoService {
  private static final Logger LOG = LoggerFactory.getLogger(DemoService.class);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DemoService() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    URI downstream = args.length > 1 ? URI.create(args[1]) : null;
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/hello", exchange -> hello(exchange));
    server.createContext("/checkout", exchange -> checkout(exchange, downstream));
    server.createContext("/healthz", exchange -> reply(exchange, 200, "ok"));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("READY " + server.getAddress().getPort());
    System.out.flush();
  }

  /** The callee: its log line carries the agent's trace_id and span_id (see the logback file). */
  private static void hello(HttpExchange exchange) throws IOException {
    LOG.info("saying hello");
    reply(exchange, 200, "hello");
  }

  /** The caller: one HTTP hop downstream, where the agent propagates the trace context. */
  private static void checkout(HttpExchange exchange, URI downstream) throws IOException {
    if (downstream == null) {
      reply(exchange, 500, "no downstream configured");
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(downstream.resolve("/hello"))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      reply(exchange, response.statusCode(), response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply(exchange, 500, "interrupted");
    } catch (IOException e) {
      LOG.warn("downstream {} failed: {}", downstream, e.toString());
      reply(exchange, 502, e.toString());
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
