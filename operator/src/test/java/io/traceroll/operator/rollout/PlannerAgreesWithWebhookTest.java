package io.traceroll.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.JvmDetectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.JvmDetection;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.GeneratedPods;
import io.traceroll.webhook.PolicyResolver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * For generated pod templates and policies, the rollout and the webhook agree, each through its own
 * entry point: the planner reads the Deployment's template (as the leader's informer has it), the
 * webhook the AdmissionReview of the pod the ReplicaSet controller creates from it. The rollout
 * restarts a workload only if the webhook then injects its new pod, and the pod the webhook admits
 * never needs another restart: no workload is restarted twice for one injection.
 */
class PlannerAgreesWithWebhookTest {
  static final long SEED = 20261207L;
  static final int WORKLOADS = 3_000;
  static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "shop";
  final Map<String, Namespace> namespaces =
      Map.of(NS, TestPolicies.namespace(NS, Map.of("traceroll.io/inject", "enabled")));

  @Test
  void theRolloutRestartsExactlyWhatTheWebhookInjectsAndNeverTwice() throws Exception {
    Random random = new Random(SEED);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<TracingPolicy> policies = policies();
    for (int i = 0; i < WORKLOADS; i++) {
      TracingPolicy policy = policies.get(random.nextInt(policies.size()));
      ObjectNode generated = GeneratedPods.generate(random, false);
      String why =
          "workload #"
              + i
              + " (seed "
              + SEED
              + ", policy "
              + policy.getMetadata().getName()
              + "): "
              + generated;

      Deployment deployment = deployment("app-" + i, generated);
      InjectionSettings settings = InjectionSettings.of(policy);
      ImageVerdicts images = images(random, PodView.of(generated));
      StepContext step =
          new StepContext(
              Naming.policyId(policy),
              policy.getSpec().getRollout(),
              settings,
              Set.of(NS),
              Instant.parse("2026-12-07T00:00:00Z"),
              null,
              images);
      boolean wanted = step.wants(Workload.of(deployment));

      JsonNode created = podOf(deployment);
      AdmissionHandler webhook =
          new AdmissionHandler(resolver(policy, images), (ns, outcome, nanos) -> {});
      JsonNode response = respond(webhook, created);
      boolean injected = response.has("patch");
      assertThat(injected).as("webhook injects iff the rollout wants it: " + why).isEqualTo(wanted);

      JsonNode admitted =
          injected
              ? JsonPatch.apply(
                  JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText())),
                  created)
              : created;
      PodFacts facts = PodFacts.of(JSON.treeToValue(admitted, Pod.class));
      assertThat(
              RolloutPlanner.need(
                  step.policyId(), wanted ? step.desiredHash() : null, List.of(facts)))
          .as("the admitted pod needs no restart: " + why)
          .isEmpty();
      outcomes.merge(wanted ? "restarted once" : "never restarted", 1, Integer::sum);
    }
    System.out.printf("%d generated workloads: %s%n", WORKLOADS, outcomes);
    assertThat(outcomes).as("the generator reaches both sides").hasSize(2);
  }

  /** A Deployment in shop whose pod template is the generated pod's metadata and spec. */
  private static Deployment deployment(String name, ObjectNode generated) throws Exception {
    ObjectNode template = JSON.createObjectNode();
    ObjectNode meta = template.putObject("metadata");
    JsonNode labels = generated.path("metadata").path("labels");
    JsonNode annotations = generated.path("metadata").path("annotations");
    if (labels.isObject()) {
      meta.set("labels", labels.deepCopy());
    }
    if (annotations.isObject()) {
      meta.set("annotations", annotations.deepCopy());
    }
    meta.with("labels").put("app", name);
    template.set(
        "spec",
        generated.path("spec").isObject()
            ? generated.get("spec").deepCopy()
            : JSON.createObjectNode());
    ((ObjectNode) template.get("spec")).withArray("containers");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withNamespace(NS)
        .withName(name)
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", name)).build())
        .withTemplate(JSON.treeToValue(template, PodTemplateSpec.class))
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(1)
        .withUpdatedReplicas(1)
        .withReadyReplicas(1)
        .withAvailableReplicas(1)
        .endStatus()
        .build();
  }

  /** The pod the ReplicaSet controller creates from the Deployment's template. */
  private static JsonNode podOf(Deployment deployment) {
    ObjectNode pod = JSON.valueToTree(deployment.getSpec().getTemplate());
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = pod.with("metadata");
    String rs = deployment.getMetadata().getName() + "-5d8f7c9b4";
    meta.put("namespace", NS).put("generateName", rs + "-");
    meta.with("labels").put("pod-template-hash", "5d8f7c9b4");
    meta.putArray("ownerReferences")
        .addObject()
        .put("apiVersion", "apps/v1")
        .put("kind", "ReplicaSet")
        .put("name", rs)
        .put("uid", "uid-" + rs)
        .put("controller", true);
    return pod;
  }

  private PolicyResolver resolver(TracingPolicy policy, ImageVerdicts images) {
    return new PolicyResolver(
        () -> List.of(policy),
        namespaces::get,
        new NamespaceSelection("traceroll-system"),
        () -> images);
  }

  /**
   * What the image probe has learned of the pod's images, drawn: nothing yet, a JVM in each, or for
   * each image a JVM, no JVM, an inconclusive probe or nothing.
   */
  private static ImageVerdicts images(Random random, PodView pod) {
    return switch (random.nextInt(3)) {
      case 0 -> ImageVerdicts.NONE;
      case 1 -> TestPolicies.jvmImages(pod);
      default -> {
        Map<String, String> data = new TreeMap<>();
        for (var c : pod.containers()) {
          int draw = random.nextInt(4);
          if (c.image() != null && draw < 3) {
            data.put(
                ImageVerdicts.key(c.image()),
                ImageVerdicts.value(
                    new ImageVerdicts.Entry(
                        c.image(),
                        JvmDetection.Verdict.values()[draw],
                        "drawn",
                        null,
                        TestPolicies.CREATED)));
          }
        }
        yield ImageVerdicts.of(data);
      }
    };
  }

  private static JsonNode respond(AdmissionHandler handler, JsonNode pod) throws Exception {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "uid-1").put("namespace", NS).put("operation", "CREATE");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.set("object", pod);
    AdmissionHandler.Response response =
        handler.handle(JSON.writeValueAsString(review).getBytes(StandardCharsets.UTF_8));
    assertThat(response.status()).isEqualTo(200);
    return JSON.readTree(response.body()).path("response");
  }

  /** The default policy and variants: a pod selector, names, detection off, image volume. */
  private static List<TracingPolicy> policies() {
    List<TracingPolicy> out = new ArrayList<>();
    out.add(variant("default", p -> {}));
    out.add(
        variant(
            "team",
            p ->
                p.getSpec()
                    .getSelector()
                    .setPodSelector(
                        new LabelSelectorBuilder()
                            .withMatchLabels(Map.of("team", "payments"))
                            .build())));
    out.add(
        variant(
            "named",
            p ->
                p.getSpec()
                    .getJava()
                    .setContainerNames(new ArrayList<>(List.of("app", "migrate")))));
    out.add(variant("all", p -> p.getSpec().getJava().setDetection(JvmDetectionMode.OFF)));
    out.add(variant("volume", p -> p.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME)));
    return out;
  }

  private static TracingPolicy variant(String name, Consumer<TracingPolicy> change) {
    TracingPolicy policy = TestPolicies.policy("obs", name);
    change.accept(policy);
    return policy;
  }
}
