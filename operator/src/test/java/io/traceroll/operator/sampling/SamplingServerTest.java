package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnknownFieldSet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What agents get over gRPC, by the address they dial and the service they name; its counts. */
class SamplingServerTest extends SamplingServerFixture {

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
        new ConfigMapBuilder()
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

  @Test
  void everyAgentItAnswersIsReportedByAddressAndServiceAndNoOtherCaller() throws Exception {
    grpc(SHOP, "checkout");
    http("GET", "/sampling?service=search", SHOP);
    assertThatThrownBy(() -> grpc("gone-sampling.obs.svc:14250", "billing"));
    http("GET", "/sampling", SHOP);

    assertThat(sightings).containsExactly("127.0.0.1 checkout", "127.0.0.1 search");
  }
}
