package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceroll.api.v1alpha1.OperationSampling;
import io.traceroll.api.v1alpha1.Sampling;
import io.traceroll.api.v1alpha1.ServiceSampling;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rendered document follows Jaeger's sampling strategies file format. */
class SamplingStrategiesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode render(Sampling sampling) throws Exception {
    return JSON.readTree(SamplingStrategies.renderJson(sampling));
  }

  static Sampling sample() {
    Sampling sampling = new Sampling();
    sampling.getDefaultSampling().setRatio(0.1);
    ServiceSampling checkout = new ServiceSampling();
    checkout.setService("checkout");
    checkout.setRatio(1.0);
    checkout.setOperations(new ArrayList<>(List.of(new OperationSampling("GET /healthz", 0.0))));
    ServiceSampling search = new ServiceSampling();
    search.setService("search");
    search.setMaxTracesPerSecond(5.0);
    sampling.setServices(new ArrayList<>(List.of(checkout, search)));
    return sampling;
  }

  @Test
  void rendersDefaultServiceAndOperationStrategies() throws Exception {
    JsonNode doc = render(sample());

    assertThat(doc.at("/default_strategy/type").asText()).isEqualTo("probabilistic");
    assertThat(doc.at("/default_strategy/param").asDouble()).isEqualTo(0.1);
    JsonNode checkout = doc.at("/service_strategies/0");
    assertThat(checkout.path("service").asText()).isEqualTo("checkout");
    assertThat(checkout.path("type").asText()).isEqualTo("probabilistic");
    assertThat(checkout.path("param").asDouble()).isEqualTo(1.0);
    JsonNode healthz = checkout.at("/operation_strategies/0");
    assertThat(healthz.path("operation").asText()).isEqualTo("GET /healthz");
    assertThat(healthz.path("param").isNumber()).isTrue();
    assertThat(healthz.path("param").asDouble()).isEqualTo(0.0);
    JsonNode search = doc.at("/service_strategies/1");
    assertThat(search.path("type").asText()).isEqualTo("ratelimiting");
    assertThat(search.path("param").asDouble()).isEqualTo(5.0);
    assertThat(search.has("operation_strategies")).isFalse();
  }

  @Test
  void usesOnlyTheKeysOfTheJaegerFormat() throws Exception {
    JsonNode doc = render(sample());
    assertThat(keys(doc)).containsExactlyInAnyOrder("default_strategy", "service_strategies");
    assertThat(keys(doc.get("default_strategy"))).containsExactlyInAnyOrder("type", "param");
    for (JsonNode service : doc.get("service_strategies")) {
      assertThat(keys(service))
          .isSubsetOf("service", "type", "param", "operation_strategies")
          .contains("service", "type", "param");
      for (JsonNode op : service.path("operation_strategies")) {
        assertThat(keys(op)).containsExactlyInAnyOrder("operation", "type", "param");
      }
    }
  }

  @Test
  void noServicesMeansOnlyTheDefault() throws Exception {
    JsonNode doc = render(new Sampling());
    assertThat(doc.get("service_strategies")).isEmpty();
    assertThat(doc.at("/default_strategy/param").asDouble()).isEqualTo(1.0);
  }

  static Set<String> keys(JsonNode node) {
    Set<String> keys = new HashSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }
}
