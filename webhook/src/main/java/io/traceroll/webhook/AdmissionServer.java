package io.traceroll.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;

/**
 * The HTTPS admission endpoint ({@code POST /mutate}, {@code GET /healthz}) served by every
 * operator replica. TLS material comes from a {@link ReloadingKeyManager}, so certificate rotation
 * needs no restart.
 */
public final class AdmissionServer implements AutoCloseable {
  public static final String MUTATE_PATH = "/mutate";

  /** Largest AdmissionReview accepted; a pod spec is far smaller. */
  static final int MAX_BODY = 3 * 1024 * 1024;

  static {
    // The JDK server leaves Nagle's algorithm on: a response written as headers then body
    // waits for the API server's delayed ACK (~40 ms a round trip). Read once, at first use.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpsServer server;
  private final ExecutorService executor;

  public AdmissionServer(
      InetSocketAddress address, ReloadingKeyManager keys, AdmissionHandler handler, int threads)
      throws IOException, GeneralSecurityException {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(new KeyManager[] {keys}, null, null);
    server = HttpsServer.create(address, 256);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "admission");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(MUTATE_PATH, exchange -> mutate(exchange, handler));
    server.createContext(
        "/healthz", exchange -> send(exchange, 200, "ok\n".getBytes(StandardCharsets.UTF_8)));
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void mutate(HttpExchange exchange, AdmissionHandler handler) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      send(
          exchange,
          405,
          "{\"error\":\"POST an AdmissionReview\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      send(exchange, 413, "{\"error\":\"request too large\"}".getBytes(StandardCharsets.UTF_8));
      return;
    }
    AdmissionHandler.Response response = handler.handle(body);
    send(exchange, response.status(), response.body());
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
