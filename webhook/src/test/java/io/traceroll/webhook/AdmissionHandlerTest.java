package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.api.v1alpha1.WorkloadPhase;
import io.traceroll.api.v1alpha1.WorkloadRollout;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionHandlerTest {
  final List<AdmissionHandler.Outcome> outcomes = new ArrayList<>();
  final Map<String, Namespace> namespaces =
      Map.of(
          "shop", TestPolicies.namespace("shop", Map.of("traceroll.io/inject", "enabled")),
          "plain", TestPolicies.namespace("plain", Map.of()));
  final List<TracingPolicy> policies = List.of(TestPolicies.policy("obs", "default"));

  AdmissionHandler handler(PolicyResolver resolver) {
    return new AdmissionHandler(resolver, (namespace, outcome, nanos) -> outcomes.add(outcome));
  }

  PolicyResolver resolver() {
    return new PolicyResolver(
        () -> policies, namespaces::get, new NamespaceSelection("traceroll-system"), Duration.ZERO);
  }

  @Test
  void patchesAPodCreatedInASelectedNamespace() throws Exception {
    ObjectNode review = review("shop", "CREATE", "Pod");

    JsonNode response = respond(handler(resolver()), review, 200);

    assertThat(response.path("uid").asText()).isEqualTo("uid-1");
    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch =
        TestPods.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
    JsonNode pod = JsonPatch.apply(patch, review.at("/request/object"));
    assertThat(pod.at("/spec/initContainers/0/name").asText()).isEqualTo("traceroll-agent-init");
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aPodOfAnUnknownImageIsInjectedOnlyOnceTheImageProbeFoundAJvm() throws Exception {
    ObjectNode review = review("shop", "CREATE", "Pod");
    ObjectNode app = (ObjectNode) review.at("/request/object/spec/containers/0");
    app.put("image", "registry.example/checkout:1.4.2");
    app.remove("env");
    ImageVerdicts[] images = {ImageVerdicts.NONE};
    PolicyResolver resolver =
        new PolicyResolver(
            () -> policies,
            namespaces::get,
            new NamespaceSelection("traceroll-system"),
            () -> images[0]);

    assertThat(respond(handler(resolver), review, 200).has("patch")).isFalse();
    images[0] = TestPolicies.jvmImages(List.of("registry.example/checkout:1.4.1"));
    assertThat(respond(handler(resolver), review, 200).has("patch"))
        .as("a verdict on the image's previous release holds for it")
        .isTrue();
    assertThat(outcomes)
        .containsExactly(AdmissionHandler.Outcome.SKIPPED, AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aDryRunProbePodIsAnsweredWithTheGoverningPolicyAndNothingInjected() throws Exception {
    ObjectNode review = review("shop", "CREATE", "Pod");
    ((ObjectNode) review.at("/request/object/metadata"))
        .putObject("annotations")
        .put(Traceroll.WEBHOOK_PROBE_ANNOTATION, "?");
    ((ObjectNode) review.get("request")).put("dryRun", true);

    JsonNode response = respond(handler(resolver()), review, 200);
    JsonNode pod =
        JsonPatch.apply(
            TestPods.JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText())),
            review.at("/request/object"));

    assertThat(pod.at("/metadata/annotations").properties())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.getKey()).isEqualTo(Traceroll.WEBHOOK_PROBE_ANNOTATION);
              assertThat(a.getValue().asText()).isEqualTo("obs.default");
            });
    assertThat(pod.at("/spec/initContainers").isMissingNode()).isTrue();

    // Not a dry run (someone copied the annotation into a real pod): injected as any other pod.
    ((ObjectNode) review.get("request")).put("dryRun", false);
    assertThat(respond(handler(resolver()), review, 200).has("patch")).isTrue();
    // Where no policy governs, no answer: the probe learns the API server did not call for it.
    ObjectNode plain = review("plain", "CREATE", "Pod");
    ((ObjectNode) plain.at("/request/object/metadata"))
        .putObject("annotations")
        .put(Traceroll.WEBHOOK_PROBE_ANNOTATION, "?");
    ((ObjectNode) plain.get("request")).put("dryRun", true);
    assertThat(respond(handler(resolver()), plain, 200).has("patch")).isFalse();
    assertThat(outcomes)
        .containsExactly(
            AdmissionHandler.Outcome.PROBED,
            AdmissionHandler.Outcome.INJECTED,
            AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void admitsUnchangedWhatIsNotOurs() throws Exception {
    for (ObjectNode review :
        List.of(
            review("plain", "CREATE", "Pod"),
            review("shop", "UPDATE", "Pod"),
            review("shop", "CREATE", "Service"))) {
      JsonNode response = respond(handler(resolver()), review, 200);
      assertThat(response.path("allowed").asBoolean()).isTrue();
      assertThat(response.has("patch")).isFalse();
    }
    assertThat(outcomes).containsOnly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void aPodThatStartsATracerOfItsOwnIsAdmittedUnchangedWithAWarning() throws Exception {
    ObjectNode review = review("shop", "CREATE", "Pod");
    for (JsonNode c : review.at("/request/object/spec/containers")) {
      ((ObjectNode) c)
          .putArray("env")
          .addObject()
          .put("name", "JAVA_TOOL_OPTIONS")
          .put("value", "-javaagent:/opt/dd-java-agent.jar");
    }

    JsonNode response = respond(handler(resolver()), review, 200);

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.path("warnings").get(0).asText())
        .contains("-javaagent:/opt/dd-java-agent.jar")
        .contains("a second one is never added");
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void aPodOfAWorkloadTheRolloutRolledBackIsAdmittedUnchanged() throws Exception {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    WorkloadRollout entry = new WorkloadRollout("Deployment", "shop", "checkout");
    entry.setPhase(WorkloadPhase.RolledBack);
    entry.setTarget(InjectionSettings.of(policy).injectionHash());
    entry.setSelector(
        new LabelSelectorBuilder().withMatchLabels(Map.of("app", "checkout")).build());
    RolloutStatus rollout = new RolloutStatus();
    rollout.setWorkloads(List.of(entry));
    TracingPolicyStatus status = new TracingPolicyStatus();
    status.setRollout(rollout);
    policy.setStatus(status);
    PolicyResolver resolver =
        new PolicyResolver(
            () -> List.of(policy),
            namespaces::get,
            new NamespaceSelection("traceroll-system"),
            Duration.ZERO);

    JsonNode response = respond(handler(resolver), review("shop", "CREATE", "Pod"), 200);

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.SKIPPED);
  }

  @Test
  void neverAdmitsIntoProtectedNamespaces() throws Exception {
    Map<String, Namespace> withSystem =
        Map.of(
            "kube-system",
            TestPolicies.namespace("kube-system", Map.of("traceroll.io/inject", "enabled")));
    PolicyResolver resolver =
        new PolicyResolver(
            () -> policies,
            withSystem::get,
            new NamespaceSelection("traceroll-system"),
            Duration.ZERO);
    JsonNode response = respond(handler(resolver), review("kube-system", "CREATE", "Pod"), 200);
    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void failsOpenWithAWarningWhenSomethingBreaks() throws Exception {
    PolicyResolver broken =
        new PolicyResolver(
            () -> {
              throw new IllegalStateException("cache exploded");
            },
            namespaces::get,
            new NamespaceSelection("traceroll-system"),
            Duration.ZERO);

    JsonNode response = respond(handler(broken), review("shop", "CREATE", "Pod"), 200);

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.path("warnings").get(0).asText())
        .contains("traceroll")
        .contains("cache exploded");
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.FAILED_OPEN);
  }

  @Test
  void answersMalformedRequestsWith400AndKeepsServing() throws Exception {
    AdmissionHandler handler = handler(resolver());
    for (String bad :
        new String[] {"{not json", "[]", "{\"kind\":\"AdmissionReview\"}", "", "null"}) {
      AdmissionHandler.Response response = handler.handle(bad.getBytes(StandardCharsets.UTF_8));
      assertThat(response.status()).as(bad).isEqualTo(400);
      assertThat(TestPods.JSON.readTree(response.body()).path("error").asText()).isNotBlank();
    }
    assertThat(respond(handler, review("shop", "CREATE", "Pod"), 200).has("patch")).isTrue();
    assertThat(outcomes)
        .containsExactly(
            AdmissionHandler.Outcome.BAD_REQUEST,
            AdmissionHandler.Outcome.BAD_REQUEST,
            AdmissionHandler.Outcome.BAD_REQUEST,
            AdmissionHandler.Outcome.BAD_REQUEST,
            AdmissionHandler.Outcome.BAD_REQUEST,
            AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void tellsTheListenerEachAdmissionsNamespaceInsideTheScopeItOpened() throws Exception {
    List<String> calls = new ArrayList<>();
    AdmissionHandler handler =
        new AdmissionHandler(
            resolver(),
            new AdmissionHandler.Listener() {
              @Override
              public AdmissionHandler.Scope started() {
                calls.add("started");
                return () -> calls.add("closed");
              }

              @Override
              public void admitted(String namespace, AdmissionHandler.Outcome outcome, long nanos) {
                assertThat(nanos).isPositive();
                calls.add(namespace + " " + outcome);
              }
            });

    respond(handler, review("shop", "CREATE", "Pod"), 200);
    respond(handler, review("plain", "CREATE", "Pod"), 200);
    handler.handle("{not json".getBytes(StandardCharsets.UTF_8));

    assertThat(calls)
        .containsExactly(
            "started",
            "shop INJECTED",
            "closed",
            "started",
            "plain SKIPPED",
            "closed",
            "started",
            "null BAD_REQUEST",
            "closed");
  }

  @Test
  void anOddPodIsAdmittedNotCrashedOn() throws Exception {
    ObjectNode review = review("shop", "CREATE", "Pod");
    ((ObjectNode) review.get("request"))
        .set("object", TestPods.json("{'spec':{'containers':'not a list'}}"));
    JsonNode response = respond(handler(resolver()), review, 200);
    assertThat(response.path("allowed").asBoolean()).isTrue();
  }

  static JsonNode respond(AdmissionHandler handler, ObjectNode review, int status)
      throws Exception {
    AdmissionHandler.Response response = handler.handle(TestPods.JSON.writeValueAsBytes(review));
    assertThat(response.status()).isEqualTo(status);
    JsonNode out = TestPods.JSON.readTree(response.body());
    assertThat(out.path("kind").asText()).isEqualTo("AdmissionReview");
    assertThat(out.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    return out.path("response");
  }

  static ObjectNode review(String namespace, String operation, String kind) {
    ObjectNode review = TestPods.JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "uid-1");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", kind);
    request.put("namespace", namespace);
    request.put("operation", operation);
    ObjectNode pod = TestPods.pod(TestPods.DEPLOYMENT);
    pod.with("metadata").put("namespace", namespace);
    request.set("object", pod);
    return review;
  }
}
