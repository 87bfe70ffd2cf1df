package io.traceroll.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OperationSampling;
import io.traceroll.api.v1alpha1.Sampling;
import io.traceroll.api.v1alpha1.ServiceSampling;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import io.traceroll.operator.sampling.StrategiesFile.DefaultStrategy;
import io.traceroll.operator.sampling.StrategiesFile.OperationStrategy;
import io.traceroll.operator.sampling.StrategiesFile.OperationType;
import io.traceroll.operator.sampling.StrategiesFile.ServiceStrategy;
import io.traceroll.operator.sampling.StrategiesFile.Strategies;
import io.traceroll.operator.sampling.StrategiesFile.StrategyType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
    search.setMaxTracesPerSecond(5);
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

  static Strategies strict(Sampling sampling) throws Exception {
    return StrategiesFile.parse(SamplingStrategies.renderJson(sampling));
  }

  static ServiceSampling service(String name, Double ratio, Integer maxTracesPerSecond) {
    ServiceSampling service = new ServiceSampling();
    service.setService(name);
    service.setRatio(ratio);
    service.setMaxTracesPerSecond(maxTracesPerSecond);
    return service;
  }

  static TracingPolicy policy(Sampling sampling) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new TracingPolicySpec());
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    Backend backend = new Backend();
    backend.setTempo(new TempoBackend());
    policy.getSpec().setBackend(backend);
    policy.getSpec().setSampling(sampling);
    return policy;
  }

  @Test
  void theDocumentParsesIntoTheStrictJaegerShape() throws Exception {
    Strategies strategies = strict(sample());

    assertThat(strategies.defaultStrategy())
        .isEqualTo(new DefaultStrategy(StrategyType.PROBABILISTIC, 0.1));
    assertThat(strategies.serviceStrategies())
        .containsExactly(
            new ServiceStrategy(
                "checkout",
                StrategyType.PROBABILISTIC,
                1.0,
                List.of(new OperationStrategy("GET /healthz", OperationType.PROBABILISTIC, 0.0))),
            new ServiceStrategy("search", StrategyType.RATE_LIMITING, 5.0, null));
  }

  @Test
  void everyStrategyHasExactlyTheKeysOfTheFormat() throws Exception {
    Sampling sampling = sample();
    ServiceSampling limited = service("payments", null, 3);
    limited.setOperations(new ArrayList<>(List.of(new OperationSampling("POST /pay", 0.5))));
    sampling.getServices().add(limited);
    JsonNode doc = render(sampling);

    assertThat(keys(doc)).containsExactlyInAnyOrder("default_strategy", "service_strategies");
    assertThat(keys(doc.get("default_strategy"))).containsExactlyInAnyOrder("type", "param");
    JsonNode services = doc.get("service_strategies");
    assertThat(keys(services.get(0)))
        .containsExactlyInAnyOrder("service", "type", "param", "operation_strategies");
    assertThat(keys(services.get(1))).containsExactlyInAnyOrder("service", "type", "param");
    assertThat(keys(services.get(2)))
        .containsExactlyInAnyOrder("service", "type", "param", "operation_strategies");
    for (JsonNode service : services) {
      for (JsonNode op : service.path("operation_strategies")) {
        assertThat(keys(op)).containsExactlyInAnyOrder("operation", "type", "param");
      }
    }
    assertThat(strict(sampling).serviceStrategies()).hasSize(3);
  }

  @Test
  void aRateLimitedServiceRendersRatelimitingWithItsTracesPerSecond() throws Exception {
    Sampling sampling = new Sampling();
    sampling.setServices(new ArrayList<>(List.of(service("search", null, 12))));
    JsonNode search = render(sampling).at("/service_strategies/0");

    assertThat(search.get("service").asText()).isEqualTo("search");
    assertThat(search.get("type").asText()).isEqualTo("ratelimiting");
    assertThat(search.get("param").isNumber()).isTrue();
    assertThat(search.get("param").doubleValue()).isEqualTo(12.0);
  }

  @Test
  void aRatioServiceRendersProbabilisticWithItsRatio() throws Exception {
    Sampling sampling = new Sampling();
    sampling.setServices(new ArrayList<>(List.of(service("cart", 0.35, null))));
    ServiceStrategy cart = strict(sampling).serviceStrategies().get(0);

    assertThat(cart).isEqualTo(new ServiceStrategy("cart", StrategyType.PROBABILISTIC, 0.35, null));
  }

  @Test
  void noServicesRenderAnEmptyServiceStrategiesArray() throws Exception {
    JsonNode strategies = render(new Sampling()).get("service_strategies");
    assertThat(strategies).isNotNull();
    assertThat(strategies.isArray()).isTrue();
    assertThat(strategies.size()).isZero();
    assertThat(strict(new Sampling()).serviceStrategies()).isEmpty();
  }

  @Test
  void theDefaultStrategyCarriesTheDefaultRatio() throws Exception {
    Sampling sampling = new Sampling();
    sampling.getDefaultSampling().setRatio(0.25);
    JsonNode defaults = render(sampling).get("default_strategy");
    assertThat(defaults.get("type").asText()).isEqualTo("probabilistic");
    assertThat(defaults.get("param").isNumber()).isTrue();
    assertThat(defaults.get("param").doubleValue()).isEqualTo(0.25);
  }

  @Test
  void operationRatiosOfZeroAreKeptAsZero() throws Exception {
    Sampling sampling = new Sampling();
    ServiceSampling api = service("api", 0.5, null);
    api.setOperations(
        new ArrayList<>(
            List.of(
                new OperationSampling("GET /healthz", 0.0),
                new OperationSampling("GET /metrics", 0.0),
                new OperationSampling("POST /order", 1.0))));
    sampling.setServices(new ArrayList<>(List.of(api)));
    JsonNode ops = render(sampling).at("/service_strategies/0/operation_strategies");

    assertThat(ops).hasSize(3);
    for (int i = 0; i < 2; i++) {
      JsonNode param = ops.get(i).get("param");
      assertThat(param).isNotNull();
      assertThat(param.isNumber()).isTrue();
      assertThat(param.doubleValue()).isEqualTo(0.0);
    }
    assertThat(ops)
        .extracting(op -> op.get("operation").asText())
        .containsExactly("GET /healthz", "GET /metrics", "POST /order");
    assertThat(ops.get(2).get("param").doubleValue()).isEqualTo(1.0);
  }

  @Test
  void aServiceWithoutOperationsHasNoOperationStrategies() throws Exception {
    Sampling sampling = new Sampling();
    ServiceSampling plain = service("plain", 0.5, null);
    plain.setOperations(null);
    sampling.setServices(new ArrayList<>(List.of(plain, service("empty", 0.5, null))));
    JsonNode services = render(sampling).get("service_strategies");
    assertThat(services.get(0).has("operation_strategies")).isFalse();
    assertThat(services.get(1).has("operation_strategies")).isFalse();
  }

  @Test
  void serviceStrategiesKeepTheSpecOrder() throws Exception {
    Sampling sampling = new Sampling();
    sampling.setServices(
        new ArrayList<>(
            List.of(
                service("zeta", 0.1, null),
                service("alpha", 0.2, null),
                service("mid", 0.3, null))));
    assertThat(strict(sampling).serviceStrategies())
        .extracting(ServiceStrategy::service)
        .containsExactly("zeta", "alpha", "mid");
  }

  @Test
  void renderingIsDeterministic() {
    assertThat(SamplingStrategies.renderJson(sample()))
        .isEqualTo(SamplingStrategies.renderJson(sample()));
  }

  /** The strict shape itself must reject what the Jaeger format does not allow. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{'default_strategy':{'type':'probabilistic','param':1.0,'extra':1},'service_strategies':[]}",
        "{'default_strategy':{'type':'probabilistic'},'service_strategies':[]}",
        "{'default_strategy':{'type':'probabilistic','param':'1.0'},'service_strategies':[]}",
        "{'default_strategy':{'type':'probabilistic','param':1.0}}",
        "{'default_strategy':{'type':'probabilistic','param':1.0},'service_strategies':[],'x':1}",
        "{'default_strategy':{'type':'probabilistic','param':1.0},'service_strategies':"
            + "[{'service':'a','type':'probabilistic','param':1.0,'operation_strategies':"
            + "[{'operation':'o','type':'ratelimiting','param':1.0}]}]}",
        "{'default_strategy':{'type':'probabilistic','param':1.0},'service_strategies':"
            + "[{'service':'a','type':'sometimes','param':1.0}]}"
      })
  void theStrictShapeRejectsDocumentsOutsideTheFormat(String json) {
    assertThatThrownBy(() -> StrategiesFile.parse(json.replace('\'', '"')))
        .isInstanceOf(JsonProcessingException.class);
  }
}
