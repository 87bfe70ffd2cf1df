package io.traceroll.operator;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.operator.runtime.HttpText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** Serves /healthz (process alive), /readyz (informers synced and healthy) and /metrics. */
public class HealthServer implements AutoCloseable {
  private final HttpServer server;

  public HealthServer(int port, BooleanSupplier ready, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(Executors.newFixedThreadPool(2, r -> daemon(r, "health-http")));
    server.createContext("/healthz", ex -> HttpText.send(ex, 200, "ok\n", "text/plain"));
    server.createContext(
        "/readyz",
        ex -> {
          boolean ok = ready.getAsBoolean();
          HttpText.send(ex, ok ? 200 : 503, ok ? "ok\n" : "not ready\n", "text/plain");
        });
    server.createContext(
        "/metrics",
        ex ->
            HttpText.send(ex, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
