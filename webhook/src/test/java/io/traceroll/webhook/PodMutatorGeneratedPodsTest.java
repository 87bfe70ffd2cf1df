package io.traceroll.webhook;

import static io.traceroll.webhook.GeneratedPodOracle.assertEnvWellFormed;
import static io.traceroll.webhook.GeneratedPodOracle.assertSelectedCanLoadTheAgent;
import static io.traceroll.webhook.GeneratedPodOracle.assertUnselectedUnchanged;
import static io.traceroll.webhook.GeneratedPodOracle.assertUserDataSurvives;
import static io.traceroll.webhook.GeneratedPodOracle.expectedTargets;
import static io.traceroll.webhook.GeneratedPods.generate;
import static io.traceroll.webhook.TestPods.apply;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.byName;
import static io.traceroll.webhook.TestPods.bytes;
import static io.traceroll.webhook.TestPods.names;
import static io.traceroll.webhook.TestPods.references;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties of the mutator over generated pods (hand-written generator, fixed seed, so a failure
 * reproduces): it never throws, its patch applies and yields a Pod, a second pass changes nothing,
 * it touches exactly the containers an independent oracle selects, every selected container can
 * actually load the agent, env names stay unique and every $(VAR) it writes is defined earlier. The
 * pods come from {@link GeneratedPods}, what must hold of them from {@link GeneratedPodOracle}.
 */
class PodMutatorGeneratedPodsTest {
  static final long SEED = 0x7EACE_2011L;
  static final int PODS = 12_000;

  /** The policies the pods are mutated with, each with what it selects by default. */
  record Policy(InjectionSettings settings, List<String> containerNames) {}

  static List<Policy> policies() {
    List<Policy> out = new ArrayList<>();
    out.add(new Policy(TestPods.settings(), List.of()));

    TracingPolicy image = TestPolicies.otlpPolicy("obs", "image", TestPolicies.CREATED);
    image.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME);
    out.add(new Policy(InjectionSettings.of(image), List.of()));

    TracingPolicy named = TestPolicies.otlpPolicy("obs", "named", TestPolicies.CREATED);
    named.getSpec().getJava().setContainerNames(new ArrayList<>(List.of("app", "migrate")));
    out.add(new Policy(InjectionSettings.of(named), List.of("app", "migrate")));

    TracingPolicy rich = TestPolicies.tempoPolicy("team", "rich", TestPolicies.CREATED);
    rich.getSpec().getJava().getResourceAttributes().put("deployment.environment", "prod,eu=1");
    rich.getSpec().getJava().getEnv().add(new EnvVar("OTEL_METRICS_EXPORTER", "none", null));
    rich.getSpec().getJava().getEnv().add(new EnvVar("PLAIN", "from-policy", null));
    out.add(new Policy(InjectionSettings.of(rich), List.of()));

    TracingPolicy headers = TestPolicies.otlpPolicy("obs", "vendor", TestPolicies.CREATED);
    headers.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
    headers.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME);
    out.add(new Policy(InjectionSettings.of(headers), List.of()));
    return out;
  }

  @Test
  void everyGeneratedPodIsMutatedSafelyIdempotentlyAndOnlyWhereSelected() {
    checkGeneratedPods(false);
  }

  /** As above, where containers may also define TRACEROLL_NODE_NAME themselves, anywhere. */
  @Test
  void helpersLeadTheEnvEvenWhenTheUserDefinedOneOfThem() {
    checkGeneratedPods(true);
  }

  void checkGeneratedPods(boolean userNodeNameHelper) {
    Random random = new Random(SEED);
    List<Policy> policies = policies();
    Map<String, Integer> outcomes = new HashMap<>();
    long start = System.nanoTime();
    for (int i = 0; i < PODS; i++) {
      ObjectNode pod = generate(random, userNodeNameHelper);
      Policy policy = policies.get(random.nextInt(policies.size()));
      String why =
          "pod #" + i + " (seed " + SEED + ", policy " + policy.settings().policyId() + "): " + pod;
      String original = bytes(pod);

      TestPods.Result result;
      try {
        result = TestPods.decideAndMutate(pod, "shop", policy.settings());
      } catch (RuntimeException e) {
        throw new AssertionError("mutate threw on " + why, e);
      }
      assertThat(bytes(pod)).as("input untouched: " + why).isEqualTo(original);
      JsonNode out;
      try {
        out = apply(pod, result.patch());
      } catch (RuntimeException e) {
        throw new AssertionError("patch " + result.patch() + " does not apply to " + why, e);
      }
      Pod typed = asPod(out);
      assertThat(typed.getSpec() == null ? 0 : typed.getSpec().getContainers().size())
          .as(why)
          .isEqualTo(pod.path("spec").path("containers").size());

      TestPods.Result again = TestPods.decideAndMutate(out, "shop", policy.settings());
      assertThat(again.patch()).as("second pass on the result of " + why).isEmpty();

      Set<String> selected = expectedTargets(pod, policy.containerNames());
      assertThat(result.changed())
          .as("changed iff something is selected: " + why)
          .isEqualTo(!selected.isEmpty());
      assertUnselectedUnchanged(pod, out, selected, why);
      assertSelectedCanLoadTheAgent(out, selected, policy.settings(), why);
      assertUserDataSurvives(pod, out, why);
      assertEnvWellFormed(pod, out, selected, why);
      if (result.changed()) {
        assertThat(out.at("/metadata/annotations/traceroll.io~1injected").asText())
            .as(why)
            .isEqualTo(policy.settings().policyId() + "@7");
        assertThat(out.at("/metadata/annotations/traceroll.io~1agent-version").asText())
            .as(why)
            .isEqualTo("2.33.1");
        assertThat(out.at("/metadata/labels/traceroll.io~1agent").asText())
            .as("marked for the agent's first call: " + why)
            .isEqualTo("pending");
      }
      outcomes.merge(
          result.changed() ? "injected" : String.valueOf(result.skipReason()), 1, Integer::sum);
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(Locale.ROOT, "%d generated pods in %d ms: %s%n", PODS, millis, outcomes);
    assertThat(outcomes.getOrDefault("injected", 0))
        .as("the generator reaches injection often enough: %s", outcomes)
        .isGreaterThan(PODS / 3);
    assertThat(outcomes).as("and every kind of skip").hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void referencesTheUserWroteKeepResolving() {
    Random random = new Random(SEED);
    List<Policy> policies = policies();
    for (int i = 0; i < PODS; i++) {
      ObjectNode pod = generate(random, false);
      Policy policy = policies.get(random.nextInt(policies.size()));
      JsonNode out = apply(pod, TestPods.decideAndMutate(pod, "shop", policy.settings()).patch());
      for (String field : List.of("initContainers", "containers")) {
        for (JsonNode before : pod.path("spec").path(field)) {
          List<String> was = names(before.path("env"));
          JsonNode after = byName(out.path("spec").path(field), before.path("name").asText());
          List<String> now = names(after.path("env"));
          for (int j = 0; j < was.size(); j++) {
            JsonNode entry = before.path("env").get(j);
            for (String ref : references(entry.path("value").asText(null))) {
              int defined = was.indexOf(ref);
              if (defined >= 0 && defined < j) {
                assertThat(now.indexOf(ref))
                    .as(
                        "%s refers to %s, defined before it, in pod #%d: %s -> %s",
                        was.get(j), ref, i, before.path("env"), after.path("env"))
                    .isBetween(0, now.indexOf(was.get(j)) - 1);
              }
            }
          }
        }
      }
    }
  }
}
