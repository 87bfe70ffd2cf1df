package io.traceroll.operator.sampling;

import com.google.protobuf.UnknownFieldSet;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The sampling server over real sockets with two policies' tables in its store, and clients of its
 * own for both transports: gRPC answers are decoded with protobuf's generic reader (field numbers
 * of jaeger.api_v2), not with our own codec; HTTP goes out as raw requests.
 */
abstract class SamplingServerFixture {
  static final String SHOP = "shop-sampling.obs.svc:14250";
  static final String BATCH = "batch-sampling.jobs.svc:14250";
  static final String OPERATOR_SERVICE = "traceroll-sampling.traceroll-system.svc.cluster.local";

  /** The answer's raw bytes, so the test decodes them itself. */
  static final MethodDescriptor<byte[], byte[]> RAW =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("jaeger.api_v2.SamplingManager/GetSamplingStrategy")
          .setRequestMarshaller(new Bytes())
          .setResponseMarshaller(new Bytes())
          .build();

  final SamplingStore store = new SamplingStore(OPERATOR_SERVICE);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** "address service" of every agent the server answered. */
  final List<String> sightings = new CopyOnWriteArrayList<>();

  SamplingServer server;

  /**
   * obs/shop (the older): 0.1 by default, checkout at 1.0 but never its health check, search at 7
   * traces a second; jobs/batch: 0.5 for everything.
   */
  @BeforeEach
  void start() throws IOException {
    store.put(
        "obs",
        "shop",
        Instant.parse("2026-01-01T00:00:00Z"),
        table(
            "{'default_strategy':{'type':'probabilistic','param':0.1},'service_strategies':["
                + "{'service':'checkout','type':'probabilistic','param':1.0,'operation_strategies':"
                + "[{'operation':'GET /healthz','type':'probabilistic','param':0.0}]},"
                + "{'service':'search','type':'ratelimiting','param':7}]}"));
    store.put(
        "jobs",
        "batch",
        Instant.parse("2026-02-01T00:00:00Z"),
        table("{'default_strategy':{'type':'probabilistic','param':0.5},'service_strategies':[]}"));
    server =
        new SamplingServer(
            store,
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0),
            registry,
            (address, service) -> sightings.add(address.getHostAddress() + " " + service));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  // --- strategies documents ---

  static StrategyTable table(String json) {
    try {
      return StrategyTable.of(StrategiesFile.parse(json(json)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  // --- gRPC ---

  UnknownFieldSet grpc(String authority, String service) throws Exception {
    return UnknownFieldSet.parseFrom(call(authority, SamplingWire.parameters(service)));
  }

  byte[] call(String authority, byte[] request) throws InterruptedException {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
            .overrideAuthority(authority)
            .usePlaintext()
            .build();
    try {
      return ClientCalls.blockingUnaryCall(
          channel, RAW, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), request);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static int strategyType(UnknownFieldSet answer) {
    return answer.hasField(1) ? answer.getField(1).getVarintList().get(0).intValue() : 0;
  }

  static UnknownFieldSet message(UnknownFieldSet set, int field) throws Exception {
    return messages(set, field).get(0);
  }

  static List<UnknownFieldSet> messages(UnknownFieldSet set, int field) throws Exception {
    List<UnknownFieldSet> out = new ArrayList<>();
    for (var bytes : set.getField(field).getLengthDelimitedList()) {
      out.add(UnknownFieldSet.parseFrom(bytes));
    }
    return out;
  }

  static double samplingRate(UnknownFieldSet probabilistic) {
    return doubleField(probabilistic, 1);
  }

  static double doubleField(UnknownFieldSet set, int field) {
    return set.hasField(field)
        ? Double.longBitsToDouble(set.getField(field).getFixed64List().get(0))
        : 0.0;
  }

  static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // --- HTTP ---

  /** An HTTP reply: status, the head as text, and the body. */
  record Reply(int status, String head, String body) {}

  Reply http(String method, String pathAndQuery, String host) throws Exception {
    // The JDK client refuses to set Host; a raw HTTP/1.1 request over a socket sets it.
    try (var socket = new Socket("127.0.0.1", server.httpPort())) {
      var out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + pathAndQuery
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String raw = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = raw.indexOf("\r\n\r\n");
      String head = raw.substring(0, split);
      return new Reply(Integer.parseInt(head.split(" ")[1]), head, raw.substring(split + 4));
    }
  }
}
