package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.apply;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.bytes;
import static io.traceroll.webhook.TestPods.references;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Properties of the mutator over generated pods (hand-written generator, fixed seed, so a failure
 * reproduces): it never throws, its patch applies and yields a Pod, a second pass changes nothing,
 * it touches exactly the containers an independent oracle selects, every selected container can
 * actually load the agent, env names stay unique and every $(VAR) it writes is defined earlier.
 */
class PodMutatorGeneratedPodsTest {
  static final long SEED = 0x7EACE_2011L;
  static final int PODS = 12_000;
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static final List<String> APP_NAMES = List.of("app", "web", "worker", "api", "batch");
  static final List<String> SIDECAR_NAMES =
      List.of("istio-proxy", "linkerd-proxy", "envoy", "fluent-bit", "vault-agent", "daprd");
  static final List<String> INIT_NAMES =
      List.of("migrate", "wait-for-db", "istio-init", "setup", "traceroll-agent-init");
  static final List<String> APP_IMAGES =
      List.of(
          "registry.example.com/shop/app:1.2.3",
          "app",
          "reg.example.com:5000/app",
          "reg.example.com:5000/app:2.0@sha256:0123456789abcdef",
          "app@sha256:fedcba9876543210",
          "eclipse-temurin:21-jre");
  static final List<String> SIDECAR_IMAGES =
      List.of(
          "docker.io/istio/proxyv2:1.24.0",
          "cr.l5d.io/linkerd/proxy:stable-2.14",
          "envoyproxy/envoy:v1.31.0");
  static final List<String> MOUNT_PATHS =
      List.of("/traceroll/agent", "/traceroll/agent-2", "/data", "/config", "/tmp");
  static final Set<String> OURS =
      Set.of(
          "TRACEROLL_POD_NAME",
          "TRACEROLL_NODE_NAME",
          "TRACEROLL_USER_JAVA_TOOL_OPTIONS",
          "TRACEROLL_USER_OTEL_RESOURCE_ATTRIBUTES");

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

      Set<String> selected = expectedTargets(pod, policy);
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

  // --- the oracle ---

  /** Names of the containers that must get the agent, decided without the mutator's code. */
  static Set<String> expectedTargets(JsonNode pod, Policy policy) {
    JsonNode annotations = pod.path("metadata").path("annotations");
    if (annotations.path("traceroll.io/inject").asText("").equalsIgnoreCase("false")) {
      return Set.of();
    }
    JsonNode spec = pod.path("spec");
    // A pod without application containers is no valid pod: never injected, init containers or not.
    if (spec.path("containers").isEmpty()) {
      return Set.of();
    }
    String annotation = annotations.path("traceroll.io/container-names").asText("");
    Set<String> named =
        annotation.isBlank()
            ? new HashSet<>(policy.containerNames())
            : Arrays.stream(annotation.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
    Set<String> targets = new LinkedHashSet<>();
    if (named.isEmpty()) {
      spec.path("containers")
          .forEach(
              c -> {
                if (!isSidecar(c)) {
                  targets.add(c.path("name").asText());
                }
              });
      return targets;
    }
    for (String field : List.of("initContainers", "containers")) {
      spec.path(field)
          .forEach(
              c -> {
                String name = c.path("name").asText();
                if (named.contains(name)
                    && !name.startsWith("traceroll-agent-init")
                    && !isSidecar(c)) {
                  targets.add(name);
                }
              });
    }
    return targets;
  }

  static boolean isSidecar(JsonNode container) {
    return SIDECAR_NAMES.contains(container.path("name").asText())
        || container.path("name").asText().equals("istio-init")
        || SIDECAR_IMAGES.contains(container.path("image").asText());
  }

  static void assertUnselectedUnchanged(
      JsonNode before, JsonNode after, Set<String> selected, String why) {
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode original : before.path("spec").path(field)) {
        String name = original.path("name").asText();
        JsonNode now = byName(after.path("spec").path(field), name);
        assertThat(now).as("%s %s still there: %s", field, name, why).isNotNull();
        if (!selected.contains(name)) {
          assertThat(bytes(now))
              .as("unselected %s unchanged: %s", name, why)
              .isEqualTo(bytes(original));
        }
      }
    }
    List<String> originalInits = names(before.path("spec").path("initContainers"));
    List<String> inits = names(after.path("spec").path("initContainers"));
    assertThat(inits.size() - originalInits.size()).as(why).isBetween(0, 1);
    List<String> withoutOurs = new ArrayList<>(inits);
    withoutOurs.removeIf(n -> !originalInits.contains(n));
    assertThat(withoutOurs).as("init containers keep their order: " + why).isEqualTo(originalInits);
  }

  /** Every selected container mounts a volume the agent is really in, and loads it from there. */
  static void assertSelectedCanLoadTheAgent(
      JsonNode pod, Set<String> selected, InjectionSettings settings, String why) {
    JsonNode spec = pod.path("spec");
    for (String name : selected) {
      JsonNode c = container(spec, name);
      String agentOption = null;
      for (JsonNode mount : c.path("volumeMounts")) {
        String path = mount.path("mountPath").asText();
        JsonNode volume = byName(spec.path("volumes"), mount.path("name").asText());
        if (volume != null && agentIsIn(spec, volume, name, settings)) {
          agentOption = "-javaagent:" + path + "/javaagent.jar";
        }
      }
      assertThat(agentOption).as("%s mounts a volume holding the agent: %s", name, why).isNotNull();
      JsonNode jto = byName(c.path("env"), "JAVA_TOOL_OPTIONS");
      assertThat(jto).as("%s has JAVA_TOOL_OPTIONS: %s", name, why).isNotNull();
      assertThat(jto.path("value").asText())
          .as("%s loads the agent from its mount: %s", name, why)
          .contains(agentOption);
    }
  }

  private static boolean agentIsIn(
      JsonNode spec, JsonNode volume, String target, InjectionSettings settings) {
    if (volume.has("image")) {
      return settings.agentImage().equals(volume.at("/image/reference").asText());
    }
    if (!volume.has("emptyDir")) {
      return false;
    }
    List<String> inits = names(spec.path("initContainers"));
    for (JsonNode init : spec.path("initContainers")) {
      if (!settings.agentImage().equals(init.path("image").asText())) {
        continue;
      }
      for (JsonNode m : init.path("volumeMounts")) {
        boolean copiesIntoIt =
            m.path("name").asText().equals(volume.path("name").asText())
                && init.path("command")
                    .toString()
                    .contains(m.path("mountPath").asText() + "/javaagent.jar");
        boolean runsBefore =
            !inits.contains(target)
                || inits.indexOf(init.path("name").asText()) < inits.indexOf(target);
        if (copiesIntoIt && runsBefore) {
          return true;
        }
      }
    }
    return false;
  }

  static void assertUserDataSurvives(JsonNode before, JsonNode after, String why) {
    for (String pointer :
        List.of(
            "/futurePodField",
            "/metadata/futureMeta",
            "/spec/futureSpec",
            "/status",
            "/metadata/labels")) {
      assertThat(after.at(pointer)).as(pointer + ": " + why).isEqualTo(before.at(pointer));
    }
    JsonNode volumes = after.path("spec").path("volumes");
    int i = 0;
    for (JsonNode v : before.path("spec").path("volumes")) {
      assertThat(volumes.get(i++)).as("user volume kept in place: " + why).isEqualTo(v);
    }
    assertThat(volumes.size() - i).as(why).isBetween(0, 1);
    before
        .path("metadata")
        .path("annotations")
        .properties()
        .forEach(
            e ->
                assertThat(after.path("metadata").path("annotations").get(e.getKey()))
                    .as("annotation %s kept: %s", e.getKey(), why)
                    .isEqualTo(e.getValue()));
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode c : before.path("spec").path(field)) {
        JsonNode now = byName(after.path("spec").path(field), c.path("name").asText());
        assertThat(now.path("futureContainer")).as(why).isEqualTo(c.path("futureContainer"));
        for (JsonNode e : c.path("env")) {
          if (e.has("futureEnvField")) {
            JsonNode kept = byName(now.path("env"), e.path("name").asText());
            assertThat(kept == null ? null : kept.get("futureEnvField"))
                .as(why)
                .isEqualTo(e.get("futureEnvField"));
          }
        }
      }
    }
  }

  /** Unique names; every $(VAR) the mutator introduced refers to a variable defined earlier. */
  static void assertEnvWellFormed(
      JsonNode before, JsonNode after, Set<String> selected, String why) {
    for (String field : List.of("initContainers", "containers")) {
      for (JsonNode c : after.path("spec").path(field)) {
        JsonNode original = byName(before.path("spec").path(field), c.path("name").asText());
        List<String> names = names(c.path("env"));
        assertThat(names)
            .as("unique env names in %s: %s", c.path("name"), why)
            .doesNotHaveDuplicates();
        for (int i = 0; i < names.size(); i++) {
          JsonNode entry = c.path("env").get(i);
          JsonNode was = original == null ? null : byName(original.path("env"), names.get(i));
          List<String> userRefs =
              was == null ? List.of() : references(was.path("value").asText(null));
          for (String ref : references(entry.path("value").asText(null))) {
            if (OURS.contains(ref) || !userRefs.contains(ref)) {
              assertThat(names.indexOf(ref))
                  .as(
                      "%s refers to %s, which must come before it in %s: %s",
                      names.get(i), ref, c.path("env"), why)
                  .isBetween(0, i - 1);
            }
          }
        }
        if (selected.contains(c.path("name").asText())) {
          assertThat(names.subList(0, 2))
              .as("downward-API helpers lead the env of %s: %s", c.path("name"), why)
              .containsExactlyInAnyOrder("TRACEROLL_POD_NAME", "TRACEROLL_NODE_NAME");
          assertThat(byName(c.path("env"), "TRACEROLL_POD_NAME").path("valueFrom"))
              .as(why)
              .isEqualTo(fieldRef("metadata.name"));
          assertThat(byName(c.path("env"), "TRACEROLL_NODE_NAME").path("valueFrom"))
              .as(why)
              .isEqualTo(fieldRef("spec.nodeName"));
        }
      }
    }
  }

  // --- generation ---

  static ObjectNode generate(Random r, boolean userNodeNameHelper) {
    ObjectNode pod = NODES.objectNode();
    if (r.nextInt(10) > 0) {
      pod.put("apiVersion", "v1").put("kind", "Pod");
    }
    if (r.nextInt(8) == 0) {
      pod.putObject("futurePodField").put("n", r.nextInt(100));
    }
    if (r.nextInt(40) > 0) {
      metadata(r, pod.putObject("metadata"));
    }
    if (r.nextInt(60) == 0) {
      return pod;
    }
    ObjectNode spec = pod.putObject("spec");
    if (r.nextInt(6) == 0) {
      spec.putArray("futureSpec").add("keep").add(1);
    }
    if (r.nextInt(8) == 0) {
      pod.putObject("status");
    }
    List<String> volumeNames = volumes(r, spec);
    Set<String> used = new HashSet<>();
    if (r.nextInt(60) == 0) {
      spec.putArray("containers");
    } else {
      ArrayNode containers = spec.putArray("containers");
      for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
        boolean sidecar = r.nextInt(10) < 3;
        String name = unique(r, sidecar ? SIDECAR_NAMES : APP_NAMES, used);
        if (name != null) {
          String image =
              sidecar || r.nextInt(15) == 0 ? pick(r, SIDECAR_IMAGES) : pick(r, APP_IMAGES);
          containers.add(container(r, name, image, volumeNames, userNodeNameHelper));
        }
      }
    }
    if (r.nextInt(3) == 0) {
      ArrayNode inits = spec.putArray("initContainers");
      for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
        String name = unique(r, INIT_NAMES, used);
        if (name != null) {
          List<String> mountable = new ArrayList<>(volumeNames);
          // A user init container named like ours must not look like it fills our volume.
          mountable.removeIf(
              v -> name.startsWith("traceroll-agent") && v.startsWith("traceroll-agent"));
          inits.add(container(r, name, pick(r, APP_IMAGES), mountable, userNodeNameHelper));
        }
      }
    }
    return pod;
  }

  private static void metadata(Random r, ObjectNode meta) {
    switch (r.nextInt(4)) {
      case 0 -> meta.put("name", "pod-" + r.nextInt(1000));
      case 1 -> meta.put("generateName", "gen-" + r.nextInt(100) + "-");
      case 2 -> meta.put("name", "p").put("generateName", "g-");
      default -> {}
    }
    if (r.nextBoolean()) {
      meta.put("namespace", "shop");
    }
    String hash = "5d8f7c9b" + r.nextInt(10);
    if (r.nextInt(3) > 0) {
      ObjectNode labels = meta.putObject("labels");
      if (r.nextBoolean()) {
        labels.put("app.kubernetes.io/name", "svc-" + r.nextInt(9));
      }
      if (r.nextBoolean()) {
        labels.put("app.kubernetes.io/version", r.nextBoolean() ? "1." + r.nextInt(9) : "");
      }
      if (r.nextBoolean()) {
        labels.put("pod-template-hash", hash);
      }
      if (r.nextBoolean()) {
        labels.put("team", "payments");
      }
    }
    if (r.nextInt(3) > 0) {
      ObjectNode annotations = meta.putObject("annotations");
      if (r.nextInt(5) == 0) {
        annotations.put("traceroll.io/inject", pick(r, List.of("false", "FALSE", "true", "")));
      }
      if (r.nextInt(4) == 0) {
        List<String> all = new ArrayList<>();
        all.addAll(APP_NAMES);
        all.addAll(INIT_NAMES);
        all.add("istio-proxy");
        all.add("missing");
        String names =
            switch (r.nextInt(4)) {
              case 0 -> pick(r, all);
              case 1 -> pick(r, all) + ", " + pick(r, all);
              case 2 -> " " + pick(r, all) + ",," + pick(r, all) + " ";
              default -> "  ";
            };
        annotations.put("traceroll.io/container-names", names);
      }
      if (r.nextInt(5) == 0) {
        annotations.put("resource.opentelemetry.io/service.name", r.nextBoolean() ? "named" : " ");
      }
      if (r.nextBoolean()) {
        annotations.put("example.com/unrelated", "x/y~z");
      }
    }
    if (r.nextBoolean()) {
      ArrayNode owners = meta.putArray("ownerReferences");
      for (int i = 0, n = 1 + (r.nextInt(6) == 0 ? 1 : 0); i < n; i++) {
        ObjectNode owner = owners.addObject();
        String kind = pick(r, List.of("ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Rollout"));
        owner.put("apiVersion", "apps/v1").put("kind", kind);
        owner.put(
            "name",
            kind.equals("ReplicaSet") && r.nextBoolean()
                ? "checkout-" + hash
                : "owner-" + r.nextInt(9));
        owner.put("uid", "u" + r.nextInt(1000));
        if (r.nextBoolean()) {
          owner.put("controller", r.nextBoolean());
        }
      }
    }
    if (r.nextInt(5) == 0) {
      meta.putObject("futureMeta").put("x", r.nextInt());
    }
  }

  private static List<String> volumes(Random r, ObjectNode spec) {
    List<String> names = new ArrayList<>();
    if (r.nextInt(3) == 0) {
      return names;
    }
    ArrayNode volumes = spec.putArray("volumes");
    for (String name : List.of("traceroll-agent", "traceroll-agent-2", "config", "data")) {
      if (r.nextInt(3) > 0) {
        continue;
      }
      ObjectNode v = volumes.addObject().put("name", name);
      switch (r.nextInt(4)) {
        case 0 -> v.putObject("emptyDir");
        case 1 -> v.putObject("configMap").put("name", "cm");
        case 2 -> v.putObject("secret").put("secretName", "s");
        default -> v.putObject("image").put("reference", "registry.example.com/assets:1");
      }
      names.add(name);
    }
    return names;
  }

  private static ObjectNode container(
      Random r, String name, String image, List<String> volumes, boolean userNodeNameHelper) {
    ObjectNode c = NODES.objectNode();
    c.put("name", name);
    if (r.nextInt(30) > 0) {
      c.put("image", image);
    }
    if (r.nextInt(8) == 0) {
      c.putObject("futureContainer").put("on", true);
    }
    if (r.nextInt(5) > 0) {
      env(r, c, userNodeNameHelper);
    } else if (r.nextInt(10) == 0) {
      c.putNull("env");
    }
    if (!volumes.isEmpty() && r.nextBoolean()) {
      ArrayNode mounts = c.putArray("volumeMounts");
      Set<String> paths = new HashSet<>();
      for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
        String path = pick(r, MOUNT_PATHS);
        if (paths.add(path)) {
          mounts.addObject().put("name", pick(r, volumes)).put("mountPath", path);
        }
      }
    }
    return c;
  }

  private static void env(Random r, ObjectNode c, boolean userNodeNameHelper) {
    List<ObjectNode> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    switch (r.nextInt(3)) {
      case 0 ->
          entries.add(
              literal(
                  "JAVA_TOOL_OPTIONS",
                  pick(r, List.of("-Xmx256m", "", "-Dx=1 -javaagent:/opt/other.jar"))));
      case 1 -> entries.add(fromConfigMap(r, "JAVA_TOOL_OPTIONS"));
      default -> {}
    }
    for (String otel :
        List.of(
            "OTEL_SERVICE_NAME",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_TRACES_SAMPLER",
            "OTEL_TRACES_SAMPLER_ARG",
            "OTEL_PROPAGATORS",
            "OTEL_EXPORTER_OTLP_HEADERS")) {
      if (r.nextInt(6) == 0) {
        entries.add(
            r.nextInt(4) == 0 ? fromConfigMap(r, otel) : literal(otel, "user-" + r.nextInt(9)));
      }
    }
    switch (r.nextInt(4)) {
      case 0 ->
          entries.add(
              literal(
                  "OTEL_RESOURCE_ATTRIBUTES",
                  pick(r, List.of("team=a,service.version=9", "", "k8s.pod.name=mine", "a=b=c"))));
      case 1 -> entries.add(fromConfigMap(r, "OTEL_RESOURCE_ATTRIBUTES"));
      default -> {}
    }
    if (r.nextBoolean()) {
      ObjectNode plain = literal("PLAIN", "p" + r.nextInt(9));
      if (r.nextInt(4) == 0) {
        plain.put("futureEnvField", r.nextInt(9));
      }
      entries.add(plain);
    }
    if (r.nextInt(30) == 0) {
      entries.add(literal("TRACEROLL_POD_NAME", "stale"));
    }
    if (userNodeNameHelper && r.nextInt(10) == 0) {
      ObjectNode helper = NODES.objectNode().put("name", "TRACEROLL_NODE_NAME");
      helper.putObject("valueFrom").putObject("fieldRef").put("fieldPath", "spec.nodeName");
      entries.add(helper);
    }
    java.util.Collections.shuffle(entries, r);
    // References the user wrote to variables defined before them.
    List<ObjectNode> withRefs = new ArrayList<>(entries);
    if (r.nextInt(3) == 0 && !entries.isEmpty()) {
      ObjectNode target = entries.get(r.nextInt(entries.size()));
      withRefs.add(
          literal(
              "USES_" + target.path("name").asText(),
              "$(" + target.path("name").asText() + ") -Dmore"));
    }
    if (r.nextInt(6) == 0) {
      withRefs.add(0, literal("EARLY", "$(OTEL_SERVICE_NAME)-literal-if-undefined"));
    }
    ArrayNode env = c.putArray("env");
    for (ObjectNode e : withRefs) {
      if (names.add(e.path("name").asText())) {
        env.add(e);
      }
    }
  }

  private static ObjectNode literal(String name, String value) {
    return NODES.objectNode().put("name", name).put("value", value);
  }

  private static ObjectNode fromConfigMap(Random r, String name) {
    ObjectNode e = NODES.objectNode().put("name", name);
    if (r.nextBoolean()) {
      e.putObject("valueFrom")
          .putObject("configMapKeyRef")
          .put("name", "cm")
          .put("key", name.toLowerCase(Locale.ROOT));
    } else {
      e.putObject("valueFrom")
          .putObject("secretKeyRef")
          .put("name", "sec")
          .put("key", "k")
          .put("optional", true);
    }
    return e;
  }

  // --- helpers ---

  private static JsonNode fieldRef(String fieldPath) {
    ObjectNode valueFrom = NODES.objectNode();
    valueFrom.putObject("fieldRef").put("fieldPath", fieldPath);
    return valueFrom;
  }

  private static String unique(Random r, List<String> options, Set<String> used) {
    for (int attempt = 0; attempt < 10; attempt++) {
      String name = pick(r, options);
      if (used.add(name)) {
        return name;
      }
    }
    return null;
  }

  static JsonNode container(JsonNode spec, String name) {
    JsonNode init = byName(spec.path("initContainers"), name);
    return init != null ? init : byName(spec.path("containers"), name);
  }

  static JsonNode byName(JsonNode list, String name) {
    for (JsonNode item : list) {
      if (name.equals(item.path("name").asText())) {
        return item;
      }
    }
    return null;
  }

  static List<String> names(JsonNode list) {
    List<String> names = new ArrayList<>();
    list.forEach(item -> names.add(item.path("name").asText()));
    return names;
  }

  private static <T> T pick(Random r, List<T> options) {
    return options.get(r.nextInt(options.size()));
  }
}
