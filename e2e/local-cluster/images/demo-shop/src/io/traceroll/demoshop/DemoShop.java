package io.traceroll.demoshop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * A two-service Java workload for the real node's tests, with no dependencies so that every span in
 * its traces comes from the injected agent: the frontend's {@code /checkout} calls the backend's
 * {@code /price}, through the JDK's HTTP server and client, which the OpenTelemetry agent
 * instruments on both sides.
 */
public final class DemoShop {
  private static final String FRONTEND = "frontend";
  private static final String BACKEND = "backend";

  private final String service;
  private final URI backend;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private DemoShop(String service, URI backend) {
    this.service = service;
    this.backend = backend;
  }

  public static void main(String[] args) throws IOException {
    String service = args.length > 0 ? args[0] : System.getenv().getOrDefault("SHOP_SERVICE", "");
    if (!service.equals(FRONTEND) && !service.equals(BACKEND)) {
      System.err.println("usage: demo-shop frontend|backend (or env SHOP_SERVICE)");
      System.exit(2);
    }
    List<String> agents = javaAgents();
    // Lets a test deploy a workload that starts without the agent and crashes with it, to see
    // the rollout's health gate roll an injection back.
    if (Boolean.parseBoolean(System.getenv("EXIT_WITH_AGENT")) && !agents.isEmpty()) {
      System.err.println(service + ": EXIT_WITH_AGENT=true and a Java agent is present " + agents);
      System.exit(1);
    }
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    URI backend = URI.create(System.getenv().getOrDefault("BACKEND_URL", "http://backend:8080"));
    new DemoShop(service, backend).serve(port);
    System.out.println(
        service
            + " listening on "
            + port
            + (service.equals(FRONTEND) ? ", backend " + backend : "")
            + ", java agents "
            + agents);
  }

  private void serve(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    // The default executor is the single dispatcher thread: a slow backend would stall health
    // checks behind a checkout.
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/healthz", exchange -> handle(exchange, () -> reply(200, "ok\n")));
    server.createContext(
        "/agent",
        exchange ->
            handle(
                exchange,
                () ->
                    json(
                        200,
                        "{\"javaAgents\":"
                            + jsonList(javaAgents())
                            + ",\"imageOption\":"
                            + jsonList(
                                System.getProperty("shop.image.option") == null
                                    ? List.of()
                                    : List.of(System.getProperty("shop.image.option")))
                            + "}")));
    if (service.equals(FRONTEND)) {
      server.createContext("/checkout", exchange -> handle(exchange, () -> checkout(exchange)));
    } else {
      server.createContext("/price", exchange -> handle(exchange, () -> price(exchange)));
    }
    server.createContext("/", exchange -> handle(exchange, () -> reply(404, "not found\n")));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
    server.start();
  }

  private Reply checkout(HttpExchange exchange) {
    String item = queryParameter(exchange.getRequestURI(), "item");
    URI price = backend.resolve("/price?item=" + URLEncoder.encode(item, StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(price).timeout(Duration.ofSeconds(5)).GET().build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return json(502, "{\"error\":\"backend answered " + response.statusCode() + "\"}");
      }
      return json(
          200,
          "{\"service\":\"frontend\",\"item\":"
              + quote(item)
              + ",\"quote\":"
              + response.body().strip()
              + "}");
    } catch (IOException e) {
      return json(502, "{\"error\":" + quote("backend " + price + ": " + e) + "}");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return json(503, "{\"error\":\"interrupted\"}");
    }
  }

  private static Reply price(HttpExchange exchange) {
    String item = queryParameter(exchange.getRequestURI(), "item");
    int cents = 100 + Math.floorMod(item.hashCode(), 9900);
    String amount = String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    return json(
        200, "{\"service\":\"backend\",\"item\":" + quote(item) + ",\"price\":" + amount + "}");
  }

  /** One log line per request, with the incoming traceparent, so propagation shows in logs. */
  private void handle(HttpExchange exchange, Handler handler) throws IOException {
    long start = System.nanoTime();
    Reply reply;
    try {
      reply = handler.handle();
    } catch (RuntimeException e) {
      reply = reply(500, e + "\n");
    }
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", reply.contentType());
    exchange.sendResponseHeaders(reply.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
    String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
    System.out.printf(
        "%s %s %s %d %dms traceparent=%s%n",
        service,
        exchange.getRequestMethod(),
        exchange.getRequestURI(),
        reply.status(),
        (System.nanoTime() - start) / 1_000_000,
        traceparent == null ? "-" : traceparent);
  }

  /**
   * The -javaagent options the JVM started with, from its command line or the variables the JVM
   * and the launcher read (JAVA_TOOL_OPTIONS, _JAVA_OPTIONS, JDK_JAVA_OPTIONS).
   */
  private static List<String> javaAgents() {
    List<String> agents = new ArrayList<>();
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("-javaagent:") && !agents.contains(argument)) {
        agents.add(argument);
      }
    }
    for (String variable : List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")) {
      for (String option : System.getenv().getOrDefault(variable, "").split("\\s+")) {
        if (option.startsWith("-javaagent:") && !agents.contains(option)) {
          agents.add(option);
        }
      }
    }
    return agents;
  }

  private static String queryParameter(URI uri, String name) {
    String query = uri.getRawQuery();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).equals(name)) {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        }
      }
    }
    return "";
  }

  private static String jsonList(List<String> values) {
    List<String> quoted = new ArrayList<>();
    values.forEach(v -> quoted.add(quote(v)));
    return "[" + String.join(",", quoted) + "]";
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static Reply reply(int status, String body) {
    return new Reply(status, "text/plain; charset=utf-8", body);
  }

  private static Reply json(int status, String body) {
    return new Reply(status, "application/json", body + "\n");
  }

  private record Reply(int status, String contentType, String body) {}

  @FunctionalInterface
  private interface Handler {
    Reply handle();
  }
}
