package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The server's HTTP endpoint: the JSON form of the gRPC answer, and its refusals. */
class SamplingServerHttpTest extends SamplingServerFixture {

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
}
