package io.traceroll.webhook;

import static io.traceroll.policy.TestPolicies.namespace;
import static io.traceroll.webhook.TestPods.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The handler the AdmissionReview tests post to (admission/reviews fixtures): two policies, a
 * selected, a plain and the operator's own namespace, the outcomes it reports, and the answer
 * checked for the envelope the API server requires.
 */
final class AdmissionReviews {
  /** The uid of the fixture's request. */
  static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";

  final List<AdmissionHandler.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  final List<TracingPolicy> policies =
      List.of(
          TestPolicies.otlpPolicy("obs", "tracing", TestPolicies.CREATED),
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

  /** The review fixture: a Deployment's pod CREATE in namespace shop. */
  static ObjectNode review() {
    return TestPods.review();
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

  /** The pod is admitted as it came: allowed, and no patch. */
  static void assertAdmittedWithoutAPatch(JsonNode response) {
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
  }

  static JsonNode patchOf(JsonNode response) throws Exception {
    return JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
  }
}
