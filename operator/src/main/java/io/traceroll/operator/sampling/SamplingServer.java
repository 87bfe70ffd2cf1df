package io.traceroll.operator.sampling;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.traceroll.operator.runtime.HttpText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the policies' sampling to running agents, on every replica: Jaeger's remote-sampling gRPC
 * API ({@code jaeger.api_v2.SamplingManager/GetSamplingStrategy}, what the Java agent's
 * jaeger_remote sampler polls over cleartext HTTP/2) and its HTTP form {@code GET
 * /sampling?service=}.
 */
public final class SamplingServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SamplingServer.class);
  public static final String HTTP_PATH = "/sampling";

  private final SamplingStore store;
  private final AgentSightings sightings;
  private final Server grpc;
  private final HttpServer http;
  private final ExecutorService executor;
  private final Requests requests;

  /**
   * Counts answers by transport and outcome (served, unknown policy, bad request); every series is
   * registered up front, so dashboards see zeros rather than nothing.
   */
  private static final class Requests {
    static final String NAME = "traceroll_sampling_requests";
    static final List<String> TRANSPORTS = List.of("grpc", "http");
    static final List<String> RESULTS = List.of("served", "unknown_policy", "bad_request");

    private final Map<String, Counter> counters = new HashMap<>();

    Requests(MeterRegistry registry) {
      for (String transport : TRANSPORTS) {
        for (String result : RESULTS) {
          counters.put(
              transport + "/" + result,
              Counter.builder(NAME)
                  .description("Sampling strategy requests answered, by transport and result")
                  .tag("transport", transport)
                  .tag("result", result)
                  .register(registry));
        }
      }
    }

    void count(String transport, String result) {
      counters.get(transport + "/" + result).increment();
    }
  }

  public SamplingServer(
      SamplingStore store,
      InetSocketAddress grpcAddress,
      InetSocketAddress httpAddress,
      MeterRegistry registry)
      throws IOException {
    this(store, grpcAddress, httpAddress, registry, AgentSightings.NONE);
  }

  /**
   * @param sightings told of each agent answered (see {@link AgentContact})
   */
  public SamplingServer(
      SamplingStore store,
      InetSocketAddress grpcAddress,
      InetSocketAddress httpAddress,
      MeterRegistry registry,
      AgentSightings sightings)
      throws IOException {
    this.store = store;
    this.sightings = sightings;
    this.requests = new Requests(registry);
    this.executor =
        Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "sampling");
              t.setDaemon(true);
              return t;
            });
    this.grpc =
        NettyServerBuilder.forAddress(grpcAddress, InsecureServerCredentials.create())
            .executor(executor)
            .addService(service())
            .build();
    this.http = HttpServer.create(httpAddress, 0);
    http.setExecutor(executor);
    http.createContext(HTTP_PATH, this::http);
  }

  public void start() throws IOException {
    grpc.start();
    http.start();
    LOG.info(
        "sampling server: gRPC on port {}, HTTP on port {}{}", grpcPort(), httpPort(), HTTP_PATH);
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    grpc.shutdown();
    http.stop(0);
    try {
      grpc.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    grpc.shutdownNow();
    executor.shutdownNow();
  }

  private ServerServiceDefinition service() {
    MethodDescriptor<String, SamplingAnswer> method =
        MethodDescriptor.<String, SamplingAnswer>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(
                MethodDescriptor.generateFullMethodName(SamplingWire.SERVICE, SamplingWire.METHOD))
            .setRequestMarshaller(new ParametersMarshaller())
            .setResponseMarshaller(new ResponseMarshaller())
            .build();
    return ServerServiceDefinition.builder(SamplingWire.SERVICE)
        .addMethod(method, new UnaryHandler())
        .build();
  }

  /** One request, one answer; the policy comes from the authority the agent dialled. */
  private final class UnaryHandler implements ServerCallHandler<String, SamplingAnswer> {
    @Override
    public ServerCall.Listener<String> startCall(
        ServerCall<String, SamplingAnswer> call, Metadata headers) {
      call.request(1);
      return new ServerCall.Listener<>() {
        private String service;

        @Override
        public void onMessage(String message) {
          service = message;
        }

        @Override
        public void onHalfClose() {
          if (service == null || service.isEmpty()) {
            requests.count("grpc", "bad_request");
            call.close(
                Status.INVALID_ARGUMENT.withDescription("serviceName is required"), new Metadata());
            return;
          }
          Optional<SamplingAnswer> answer = store.answer(call.getAuthority(), service);
          if (answer.isEmpty()) {
            requests.count("grpc", "unknown_policy");
            call.close(
                Status.NOT_FOUND.withDescription(
                    "no policy serves sampling at " + call.getAuthority()),
                new Metadata());
            return;
          }
          requests.count("grpc", "served");
          if (call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)
              instanceof InetSocketAddress remote) {
            sightings.seen(remote.getAddress(), service);
          }
          call.sendHeaders(new Metadata());
          call.sendMessage(answer.get());
          call.close(Status.OK, new Metadata());
        }
      };
    }
  }

  private static final class ParametersMarshaller implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String service) {
      return new ByteArrayInputStream(SamplingWire.parameters(service));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return SamplingWire.serviceName(stream);
      } catch (IOException e) {
        throw Status.INVALID_ARGUMENT
            .withDescription("not a SamplingStrategyParameters message: " + e.getMessage())
            .asRuntimeException();
      }
    }
  }

  private static final class ResponseMarshaller
      implements MethodDescriptor.Marshaller<SamplingAnswer> {
    @Override
    public InputStream stream(SamplingAnswer answer) {
      return new ByteArrayInputStream(SamplingWire.response(answer));
    }

    @Override
    public SamplingAnswer parse(InputStream stream) {
      throw new UnsupportedOperationException("the server only writes responses");
    }
  }

  private void http(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        HttpText.send(exchange, 405, "only GET is supported\n", "text/plain");
        return;
      }
      String service = queryParameter(exchange.getRequestURI().getRawQuery(), "service");
      if (service == null || service.isEmpty()) {
        requests.count("http", "bad_request");
        HttpText.send(exchange, 400, "'service' parameter must be provided\n", "text/plain");
        return;
      }
      String host = exchange.getRequestHeaders().getFirst("Host");
      Optional<SamplingAnswer> answer = store.answer(host, service);
      if (answer.isEmpty()) {
        requests.count("http", "unknown_policy");
        HttpText.send(exchange, 404, "no policy serves sampling at " + host + "\n", "text/plain");
        return;
      }
      requests.count("http", "served");
      sightings.seen(exchange.getRemoteAddress().getAddress(), service);
      HttpText.send(exchange, 200, SamplingWire.json(answer.get()), "application/json");
    } catch (RuntimeException e) {
      LOG.warn("sampling request {} failed: {}", exchange.getRequestURI(), e.toString());
    }
  }

  static String queryParameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        try {
          return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }
    return null;
  }
}
