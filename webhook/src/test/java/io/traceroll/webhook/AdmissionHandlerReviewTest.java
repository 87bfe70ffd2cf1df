package io.traceroll.webhook;

import static io.traceroll.policy.TestPolicies.namespace;
import static io.traceroll.webhook.TestPods.AGENT;
import static io.traceroll.webhook.TestPods.JSON;
import static io.traceroll.webhook.TestPods.apply;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.fixture;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The handler on AdmissionReview v1 bodies as the API server sends them (admission/reviews). */
class AdmissionHandlerReviewTest {
  static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";

  final List<AdmissionHandler.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  final List<TracingPolicy> policies =
      List.of(
          TestPolicies.otlpPolicy("obs", "tracing", "2026-01-01T00:00:00Z"),
          TestPolicies.tempoPolicy("obs", "later", "2026-03-01T00:00:00Z"));
  final Map<String, Namespace> namespaces =
      Map.of(
          "shop", namespace("shop", Map.of("traceroll.io/inject", "enabled")),
          "plain", namespace("plain", Map.of("team", "web")),
          "traceroll-system",
              namespace("traceroll-system", Map.of("traceroll.io/inject", "enabled")));

  AdmissionHandler handler() {
    return handler(() -> policies, namespaces::get);
  }

  AdmissionHandler handler(
      Supplier<Collection<TracingPolicy>> policies, Function<String, Namespace> namespaces) {
    PolicyResolver resolver =
        new PolicyResolver(
            policies, namespaces, new NamespaceSelection("traceroll-system"), Duration.ZERO);
    return new AdmissionHandler(resolver, (namespace, outcome, nanos) -> outcomes.add(outcome));
  }

  static ObjectNode review() {
    return fixture("reviews/pod-create.json");
  }

  static ObjectNode request(ObjectNode review) {
    return (ObjectNode) review.get("request");
  }

  static AdmissionHandler.Response post(AdmissionHandler handler, JsonNode review)
      throws Exception {
    return handler.handle(JSON.writeValueAsBytes(review));
  }

  /** The response part of a 200 answer, checked for the envelope the API server requires. */
  static JsonNode answer(AdmissionHandler.Response response, String apiVersion) throws Exception {
    assertThat(response.status()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(body.path("apiVersion").asText()).isEqualTo(apiVersion);
    JsonNode r = body.path("response");
    assertThat(r.path("uid").asText()).isEqualTo(UID);
    assertThat(r.path("allowed").isBoolean()).isTrue();
    return r;
  }

  static JsonNode patchOf(JsonNode response) throws Exception {
    return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }

  @Test
  void aPodCreatedInASelectedNamespaceGetsAJsonPatchThatApplies() throws Exception {
    ObjectNode review = review();

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch = patchOf(response);
    assertThat(patch.isArray()).isTrue();
    JsonNode pod = apply(review.at("/request/object"), patch);
    Pod typed = asPod(pod);
    assertThat(typed.getSpec().getInitContainers()).hasSize(1);
    assertThat(value(pod, "cart", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-XX:MaxRAMPercentage=75 " + AGENT);
    assertThat(value(pod, "cart", "OTEL_SERVICE_NAME")).isEqualTo("cart");
    assertThat(value(pod, "cart", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .as("the oldest selecting policy governs")
        .isEqualTo("http://otel-collector.observability.svc:4317");
    assertThat(pod.at("/metadata/annotations/traceroll.io~1injected").asText())
        .isEqualTo("obs.tracing@7");
    assertThat(pod.at("/spec/volumes/0")).isEqualTo(review.at("/request/object/spec/volumes/0"));
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aPodInANamespaceNoPolicySelectsIsAdmittedWithoutAPatch() throws Exception {
    ObjectNode review = review();
    request(review).put("namespace", "plain");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("patchType")).isFalse();
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void theOperatorsOwnNamespaceIsNeverPatchedEvenWhenLabelled() throws Exception {
    ObjectNode review = review();
    request(review).put("namespace", "traceroll-system");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"UPDATE", "DELETE", "CONNECT"})
  void otherOperationsThanCreateAreAdmittedWithoutAPatch(String operation) throws Exception {
    ObjectNode review = review();
    request(review).put("operation", operation);
    request(review).set("oldObject", review.at("/request/object").deepCopy());
    if (operation.equals("DELETE")) {
      request(review).putNull("object");
    }

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Service", "Deployment", "Binding", "Eviction"})
  void otherKindsThanPodAreAdmittedWithoutAPatch(String kind) throws Exception {
    ObjectNode review = review();
    ((ObjectNode) request(review).get("kind")).put("kind", kind);

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void malformedBodiesGet400WithAnErrorAndTheHandlerKeepsAnswering() throws Exception {
    AdmissionHandler handler = handler();
    List<byte[]> bad =
        List.of(
            "{\"kind\":\"AdmissionReview\",\"request\":".getBytes(StandardCharsets.UTF_8),
            "not json at all".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2},
            "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}"
                .getBytes(StandardCharsets.UTF_8),
            "{\"kind\":\"ConversionReview\",\"request\":{\"uid\":\"x\"}}"
                .getBytes(StandardCharsets.UTF_8),
            "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":42}}"
                .getBytes(StandardCharsets.UTF_8),
            "\"AdmissionReview\"".getBytes(StandardCharsets.UTF_8));
    for (byte[] body : bad) {
      AdmissionHandler.Response response = handler.handle(body);
      String shown = new String(body, StandardCharsets.UTF_8);
      assertThat(response.status()).as(shown).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body());
      assertThat(error.path("error").asText()).as(shown).isNotBlank();
    }

    JsonNode response = answer(post(handler, review()), "admission.k8s.io/v1");
    assertThat(response.has("patch")).isTrue();
    assertThat(outcomes.subList(0, bad.size())).containsOnly(AdmissionHandler.Outcome.BAD_REQUEST);
    assertThat(outcomes.subList(bad.size(), outcomes.size()))
        .containsExactly(AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aResolverThatThrowsFailsOpenWithAWarning() throws Exception {
    AdmissionHandler handler =
        handler(
            () -> policies,
            name -> {
              throw new IllegalStateException("namespace informer not synced");
            });

    JsonNode response = answer(post(handler, review()), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("patchType")).isFalse();
    assertThat(response.path("warnings")).hasSize(1);
    assertThat(response.path("warnings").get(0).asText())
        .containsIgnoringCase("traceroll")
        .contains("namespace informer not synced");
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.FAILED_OPEN);
  }

  @Test
  void aPolicyCacheThatThrowsAlsoFailsOpenAndTheNextRequestWorks() throws Exception {
    boolean[] broken = {true};
    AdmissionHandler handler =
        handler(
            () -> {
              if (broken[0]) {
                throw new IllegalStateException("boom");
              }
              return policies;
            },
            namespaces::get);

    JsonNode failed = answer(post(handler, review()), "admission.k8s.io/v1");
    broken[0] = false;
    JsonNode recovered = answer(post(handler, review()), "admission.k8s.io/v1");

    assertThat(failed.path("allowed").asBoolean()).isTrue();
    assertThat(failed.has("patch")).isFalse();
    assertThat(recovered.has("patch")).isTrue();
    assertThat(outcomes)
        .containsExactly(AdmissionHandler.Outcome.FAILED_OPEN, AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aPodTheMutatorCannotReadIsAdmittedUnchanged() throws Exception {
    ObjectNode review = review();
    ((ObjectNode) review.at("/request/object/spec")).putArray("containers").add("not-a-container");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.path("warnings").get(0).asText()).contains("traceroll");
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.FAILED_OPEN);
  }

  @Test
  void anOptedOutPodIsSkipped() throws Exception {
    ObjectNode review = review();
    ((ObjectNode) review.at("/request/object/metadata"))
        .putObject("annotations")
        .put("traceroll.io/inject", "false");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isFalse();
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void aReinvocationOnTheInjectedPodIsAnsweredWithoutAPatch() throws Exception {
    AdmissionHandler handler = handler();
    ObjectNode review = review();
    JsonNode patch = patchOf(answer(post(handler, review), "admission.k8s.io/v1"));
    request(review).set("object", apply(review.at("/request/object"), patch));

    JsonNode again = answer(post(handler, review), "admission.k8s.io/v1");

    assertThat(again.path("allowed").asBoolean()).isTrue();
    assertThat(again.has("patch")).isFalse();
    assertThat(outcomes)
        .containsExactly(AdmissionHandler.Outcome.INJECTED, AdmissionHandler.Outcome.UNCHANGED);
  }

  @Test
  void theMutatorsWarningsReachTheUser() throws Exception {
    ObjectNode review = review();
    ObjectNode env = (ObjectNode) review.at("/request/object/spec/containers/0/env/0");
    env.remove("value");
    env.putObject("valueFrom").putObject("configMapKeyRef").put("name", "jvm").put("key", "opts");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isTrue();
    assertThat(response.path("warnings").toString()).contains("TRACEROLL_USER_JAVA_TOOL_OPTIONS");
  }

  @Test
  void theReviewsApiVersionIsEchoed() throws Exception {
    ObjectNode review = review();
    review.put("apiVersion", "admission.k8s.io/v1beta1");

    answer(post(handler(), review), "admission.k8s.io/v1beta1");
  }

  @Test
  void theNamespaceComesFromTheObjectWhenTheRequestOmitsIt() throws Exception {
    ObjectNode review = review();
    request(review).remove("namespace");

    JsonNode response = answer(post(handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isTrue();
    JsonNode pod = apply(review.at("/request/object"), patchOf(response));
    assertThat(value(pod, "cart", "OTEL_RESOURCE_ATTRIBUTES")).contains("k8s.namespace.name=shop");
  }

  @Test
  void concurrentAdmissionsAreAllAnsweredCorrectly() throws Exception {
    AdmissionHandler handler = handler();
    byte[] body = JSON.writeValueAsBytes(review());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<AdmissionHandler.Response>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        futures.add(pool.submit(() -> handler.handle(body)));
      }
      String first = null;
      for (Future<AdmissionHandler.Response> f : futures) {
        JsonNode response = answer(f.get(), "admission.k8s.io/v1");
        String patch = response.path("patch").asText();
        assertThat(patch).isNotEmpty();
        if (first == null) {
          first = patch;
        }
        assertThat(patch).as("same pod, same patch").isEqualTo(first);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(outcomes).hasSize(400).containsOnly(AdmissionHandler.Outcome.INJECTED);
  }
}
