package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server over real sockets, read by a gRPC client that decodes the answers with protobuf's
 * generic reader (field numbers of jaeger.api_v2), not with our own codec.
 */
class SamplingServerTest {
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
  SamplingServer server;

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
            registry);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAgentGetsItsPolicysRatioAndPerOperationRatios() throws Exception {
    UnknownFieldSet answer = grpc(SHOP, "checkout");

    assertThat(strategyType(answer)).isZero(); // PROBABILISTIC
    assertThat(samplingRate(message(answer, 2))).isEqualTo(1.0);
    UnknownFieldSet perOperation = message(answer, 4);
    assertThat(doubleField(perOperation, 1)).isEqualTo(1.0);
    List<UnknownFieldSet> operations = messages(perOperation, 3);
    assertThat(operations).hasSize(1);
    assertThat(operations.get(0).getField(1).getLengthDelimitedList().get(0).toStringUtf8())
        .isEqualTo("GET /healthz");
    assertThat(samplingRate(message(operations.get(0), 2))).isEqualTo(0.0);
  }

  @Test
  void aRateLimitedServiceGetsItsTracesPerSecond() throws Exception {
    UnknownFieldSet answer = grpc(SHOP, "search");

    assertThat(strategyType(answer)).isEqualTo(1); // RATE_LIMITING
    assertThat(message(answer, 3).getField(1).getVarintList()).containsExactly(7L);
    assertThat(answer.hasField(2)).isFalse();
  }

  @Test
  void anUnknownServiceGetsThePolicysDefault() throws Exception {
    assertThat(samplingRate(message(grpc(SHOP, "billing"), 2))).isEqualTo(0.1);
    assertThat(grpc(SHOP, "billing").hasField(4)).isFalse();
  }

  @Test
  void theAddressAnAgentDialsChoosesThePolicy() throws Exception {
    assertThat(samplingRate(message(grpc(BATCH, "billing"), 2))).isEqualTo(0.5);
    assertThat(samplingRate(message(grpc(BATCH, "checkout"), 2))).isEqualTo(0.5);
  }

  @Test
  void anyOtherAddressGetsTheListingPolicyElseTheOldestPolicy() throws Exception {
    String other = OPERATOR_SERVICE + ":14250";
    assertThat(samplingRate(message(grpc(other, "checkout"), 2))).isEqualTo(1.0);
    assertThat(samplingRate(message(grpc(other, "billing"), 2))).isEqualTo(0.1);
  }

  @Test
  void aPolicyThatDoesNotExistIsNotFoundSoAgentsKeepWhatTheyHave() {
    assertThatThrownBy(() -> grpc("gone-sampling.obs.svc:14250", "checkout"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void aMalformedRequestIsRefusedAndTheServerKeepsServing() throws Exception {
    // A length-delimited field 1 whose length runs past the end of the message.
    byte[] truncated = {0x0a, 0x7f, 'x'};
    assertThatThrownBy(() -> call(SHOP, truncated))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isNotEqualTo(Status.Code.OK));
    assertThatThrownBy(() -> call(SHOP, new byte[0]))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

    assertThat(samplingRate(message(grpc(SHOP, "checkout"), 2))).isEqualTo(1.0);
  }

  @Test
  void aChangedDocumentIsServedAtOnceAndABrokenOneKeepsThePrevious() throws Exception {
    var cm =
        new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
            .withNewMetadata()
            .withName("shop-sampling")
            .withNamespace("obs")
            .addToLabels("traceroll.io/policy-name", "shop")
            .withCreationTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .addToData(
                "strategies.json",
                json(
                    "{'default_strategy':{'type':'probabilistic','param':0.0},'service_strategies':[]}"))
            .build();
    store.apply(cm);
    assertThat(samplingRate(message(grpc(SHOP, "checkout"), 2))).isEqualTo(0.0);

    cm.getData().put("strategies.json", "{\"default_strategy\":{}}");
    store.apply(cm);
    assertThat(samplingRate(message(grpc(SHOP, "checkout"), 2))).isEqualTo(0.0);
  }

  @Test
  void httpAnswersWithTheJsonMappingOfTheSameResponse() throws Exception {
    Reply response = http("GET", "/sampling?service=checkout", SHOP);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.head()).containsIgnoringCase("Content-Type: application/json");
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(body.path("strategyType").asText()).isEqualTo("PROBABILISTIC");
    assertThat(body.at("/probabilisticSampling/samplingRate").asDouble()).isEqualTo(1.0);
    assertThat(body.at("/operationSampling/defaultSamplingProbability").asDouble()).isEqualTo(1.0);
    assertThat(body.at("/operationSampling/perOperationStrategies/0/operation").asText())
        .isEqualTo("GET /healthz");
    assertThat(
            body.at(
                    "/operationSampling/perOperationStrategies/0/probabilisticSampling/samplingRate")
                .isNumber())
        .isTrue();

    JsonNode limited =
        new ObjectMapper().readTree(http("GET", "/sampling?service=search", SHOP).body());
    assertThat(limited.path("strategyType").asText()).isEqualTo("RATE_LIMITING");
    assertThat(limited.at("/rateLimitingSampling/maxTracesPerSecond").asInt()).isEqualTo(7);
  }

  @Test
  void httpRefusesBadRequestsWithClearStatuses() throws Exception {
    assertThat(http("GET", "/sampling", SHOP).status()).isEqualTo(400);
    assertThat(http("GET", "/sampling?service=", SHOP).status()).isEqualTo(400);
    assertThat(http("GET", "/sampling?service=%zz", SHOP).status()).isEqualTo(400);
    assertThat(http("POST", "/sampling?service=checkout", SHOP).status()).isEqualTo(405);
    assertThat(http("GET", "/sampling?service=a", "gone-sampling.obs.svc:5778").status())
        .isEqualTo(404);
    assertThat(http("GET", "/sampling?service=a%20b", BATCH).body()).contains("0.5");
  }

  @Test
  void countsRequestsByTransportAndResult() throws Exception {
    // Every transport and result is there from the start, at zero.
    assertThat(registry.find("traceroll_sampling_requests").counters())
        .hasSize(6)
        .allSatisfy(c -> assertThat(c.count()).isZero());

    grpc(SHOP, "checkout");
    http("GET", "/sampling", SHOP);

    assertThat(
            registry
                .get("traceroll_sampling_requests")
                .tags("transport", "grpc", "result", "served")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("traceroll_sampling_requests")
                .tags("transport", "http", "result", "bad_request")
                .counter()
                .count())
        .isEqualTo(1.0);
  }

  // --- helpers ---

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

  /** An HTTP reply: status, the head as text, and the body. */
  record Reply(int status, String head, String body) {}

  Reply http(String method, String pathAndQuery, String host) throws Exception {
    // The JDK client refuses to set Host; a raw HTTP/1.1 request over a socket sets it.
    try (var socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
      var out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + pathAndQuery
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      String raw =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int split = raw.indexOf("\r\n\r\n");
      String head = raw.substring(0, split);
      return new Reply(Integer.parseInt(head.split(" ")[1]), head, raw.substring(split + 4));
    }
  }

  static int strategyType(UnknownFieldSet answer) {
    return answer.hasField(1) ? answer.getField(1).getVarintList().get(0).intValue() : 0;
  }

  static UnknownFieldSet message(UnknownFieldSet set, int field) throws Exception {
    return messages(set, field).get(0);
  }

  static List<UnknownFieldSet> messages(UnknownFieldSet set, int field) throws Exception {
    List<UnknownFieldSet> out = new java.util.ArrayList<>();
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
}
