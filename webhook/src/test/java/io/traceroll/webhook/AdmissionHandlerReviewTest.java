package io.traceroll.webhook;

import static io.traceroll.webhook.AdmissionReviews.answer;
import static io.traceroll.webhook.AdmissionReviews.assertAdmittedWithoutAPatch;
import static io.traceroll.webhook.AdmissionReviews.patchOf;
import static io.traceroll.webhook.AdmissionReviews.post;
import static io.traceroll.webhook.AdmissionReviews.request;
import static io.traceroll.webhook.AdmissionReviews.review;
import static io.traceroll.webhook.TestPods.AGENT;
import static io.traceroll.webhook.TestPods.apply;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handler on AdmissionReview v1 bodies as the API server sends them (admission/reviews): what
 * it patches, what it admits without a patch, and how it answers.
 */
class AdmissionHandlerReviewTest {
  final AdmissionReviews admissions = new AdmissionReviews();

  @Test
  void aPodCreatedInASelectedNamespaceGetsAJsonPatchThatApplies() throws Exception {
    ObjectNode review = review();

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

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
    assertThat(admissions.outcomes).containsExactly(AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aPodInANamespaceNoPolicySelectsIsAdmittedWithoutAPatch() throws Exception {
    ObjectNode review = review();
    request(review).put("namespace", "plain");

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertAdmittedWithoutAPatch(response);
    assertThat(response.has("patchType")).isFalse();
    assertThat(admissions.outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void theOperatorsOwnNamespaceIsNeverPatchedEvenWhenLabelled() throws Exception {
    ObjectNode review = review();
    request(review).put("namespace", "traceroll-system");

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

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

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertAdmittedWithoutAPatch(response);
    assertThat(admissions.outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Service", "Deployment", "Binding", "Eviction"})
  void otherKindsThanPodAreAdmittedWithoutAPatch(String kind) throws Exception {
    ObjectNode review = review();
    ((ObjectNode) request(review).get("kind")).put("kind", kind);

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertAdmittedWithoutAPatch(response);
  }

  @Test
  void anOptedOutPodIsSkipped() throws Exception {
    ObjectNode review = review();
    ((ObjectNode) review.at("/request/object/metadata"))
        .putObject("annotations")
        .put("traceroll.io/inject", "false");

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isFalse();
    assertThat(admissions.outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void aReinvocationOnTheInjectedPodIsAnsweredWithoutAPatch() throws Exception {
    AdmissionHandler handler = admissions.handler();
    ObjectNode review = review();
    JsonNode patch = patchOf(answer(post(handler, review), "admission.k8s.io/v1"));
    request(review).set("object", apply(review.at("/request/object"), patch));

    JsonNode again = answer(post(handler, review), "admission.k8s.io/v1");

    assertAdmittedWithoutAPatch(again);
    assertThat(admissions.outcomes)
        .containsExactly(AdmissionHandler.Outcome.INJECTED, AdmissionHandler.Outcome.UNCHANGED);
  }

  @Test
  void theMutatorsWarningsReachTheUser() throws Exception {
    ObjectNode review = review();
    ObjectNode env = (ObjectNode) review.at("/request/object/spec/containers/0/env/0");
    env.remove("value");
    env.putObject("valueFrom").putObject("configMapKeyRef").put("name", "jvm").put("key", "opts");

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isTrue();
    assertThat(response.path("warnings").toString()).contains("TRACEROLL_USER_JAVA_TOOL_OPTIONS");
  }

  @Test
  void theReviewsApiVersionIsEchoed() throws Exception {
    ObjectNode review = review();
    review.put("apiVersion", "admission.k8s.io/v1beta1");

    answer(post(admissions.handler(), review), "admission.k8s.io/v1beta1");
  }

  @Test
  void theNamespaceComesFromTheObjectWhenTheRequestOmitsIt() throws Exception {
    ObjectNode review = review();
    request(review).remove("namespace");

    JsonNode response = answer(post(admissions.handler(), review), "admission.k8s.io/v1");

    assertThat(response.has("patch")).isTrue();
    JsonNode pod = apply(review.at("/request/object"), patchOf(response));
    assertThat(value(pod, "cart", "OTEL_RESOURCE_ATTRIBUTES")).contains("k8s.namespace.name=shop");
  }
}
