package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand generated pods, from a fixed seed: the mutator never throws, its patch applies and
 * yields a valid Pod, a second pass yields nothing, containers it did not select are left as they
 * were, and every $(VAR) it writes refers to a variable defined before it.
 */
class PodMutatorPropertyTest {
  static final int PODS = 10_000;
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  static final List<String> NAMES =
      List.of(
          "app",
          "web",
          "worker",
          "istio-proxy",
          "linkerd-proxy",
          "traceroll-agent-init",
          "sidecar");

  @Test
  void everyGeneratedPodIsMutatedSafelyAndIdempotently() {
    Random random = new Random(20261124L);
    InjectionSettings initMode = TestPolicies.settings();
    TracingPolicy imagePolicy = TestPolicies.policy("obs", "img");
    imagePolicy.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME);
    InjectionSettings imageMode = InjectionSettings.of(imagePolicy);
    int injected = 0;
    for (int i = 0; i < PODS; i++) {
      ObjectNode pod = generate(random);
      InjectionSettings settings = random.nextInt(5) == 0 ? imageMode : initMode;
      String description = "pod #" + i + ": " + pod;

      TestPods.Result result = TestPods.decideAndMutate(pod, "ns", settings);
      JsonNode out = TestPods.apply(pod, result.patch());

      TestPods.asPod(out);
      assertThat(TestPods.decideAndMutate(out, "ns", settings).patch()).as(description).isEmpty();
      assertUnselectedContainersUnchanged(pod, out, description);
      assertEnvWellFormed(out, description);
      if (result.changed()) {
        injected++;
      }
    }
    assertThat(injected).as("a fair share of generated pods gets injected").isGreaterThan(PODS / 4);
  }

  private static void assertUnselectedContainersUnchanged(
      JsonNode before, JsonNode after, String why) {
    for (String field : new String[] {"containers", "initContainers"}) {
      for (JsonNode original : before.path("spec").path(field)) {
        JsonNode now = byName(after.path("spec").path(field), original.path("name").asText());
        boolean injected = now != null && now.toString().contains("-javaagent:");
        boolean hadAgent = original.toString().contains("-javaagent:");
        if (!injected || hadAgent) {
          assertThat(now).as(why).isEqualTo(original);
        }
      }
    }
  }

  private static void assertEnvWellFormed(JsonNode pod, String why) {
    for (String field : new String[] {"containers", "initContainers"}) {
      for (JsonNode c : pod.path("spec").path(field)) {
        Set<String> defined = new HashSet<>();
        for (JsonNode e : c.path("env")) {
          String name = e.path("name").asText();
          assertThat(defined.add(name)).as("duplicate %s in %s", name, why).isTrue();
          Matcher m = REFERENCE.matcher(e.path("value").asText(""));
          while (m.find()) {
            if (m.group(1).startsWith("TRACEROLL_")) {
              assertThat(defined)
                  .as("%s refers to a later variable in %s", name, why)
                  .contains(m.group(1));
            }
          }
        }
      }
    }
  }

  private static JsonNode byName(JsonNode list, String name) {
    for (JsonNode c : list) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    return null;
  }

  // --- generation ---

  static ObjectNode generate(Random r) {
    ObjectNode pod = NODES.objectNode();
    if (r.nextInt(10) > 0) {
      pod.put("apiVersion", "v1").put("kind", "Pod");
    }
    ObjectNode meta = pod.putObject("metadata");
    if (r.nextBoolean()) {
      meta.put("name", "pod-" + r.nextInt(1000));
    } else if (r.nextBoolean()) {
      meta.put("generateName", "gen-" + r.nextInt(100) + "-");
    }
    if (r.nextBoolean()) {
      ObjectNode labels = meta.putObject("labels");
      if (r.nextBoolean()) {
        labels.put("app.kubernetes.io/name", "svc" + r.nextInt(9));
      }
      if (r.nextBoolean()) {
        labels.put("app.kubernetes.io/version", "v" + r.nextInt(9));
      }
      if (r.nextBoolean()) {
        labels.put("pod-template-hash", "h" + r.nextInt(9));
      }
    }
    if (r.nextInt(3) == 0) {
      ObjectNode annotations = meta.putObject("annotations");
      switch (r.nextInt(4)) {
        case 0 -> annotations.put("traceroll.io/inject", r.nextBoolean() ? "false" : "true");
        case 1 ->
            annotations.put("traceroll.io/container-names", pick(r, NAMES) + "," + pick(r, NAMES));
        case 2 -> annotations.put("resource.opentelemetry.io/service.name", "named");
        default -> annotations.put("unrelated", "x");
      }
    }
    if (r.nextBoolean()) {
      ObjectNode owner = meta.putArray("ownerReferences").addObject();
      owner.put("kind", pick(r, List.of("ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Weird")));
      owner.put("name", "owner-h" + r.nextInt(9));
      owner.put("controller", r.nextBoolean());
    }
    if (r.nextInt(5) == 0) {
      meta.putObject("unknownMetaField").put("x", r.nextInt());
    }
    if (r.nextInt(50) == 0) {
      return pod; // no spec at all
    }
    ObjectNode spec = pod.putObject("spec");
    if (r.nextInt(6) == 0) {
      spec.put("someFutureField", "keep");
    }
    Set<String> used = new HashSet<>();
    ArrayNode containers = spec.putArray("containers");
    int count = r.nextInt(50) == 0 ? 0 : 1 + r.nextInt(4);
    for (int i = 0; i < count; i++) {
      containers.add(container(r, used));
    }
    if (r.nextInt(3) == 0) {
      ArrayNode inits = spec.putArray("initContainers");
      for (int i = 0, n = 1 + r.nextInt(2); i < n; i++) {
        inits.add(container(r, used));
      }
    }
    if (r.nextBoolean()) {
      ArrayNode volumes = spec.putArray("volumes");
      for (int i = 0, n = r.nextInt(3); i < n; i++) {
        ObjectNode v = volumes.addObject();
        v.put(
            "name",
            r.nextBoolean() ? "traceroll-agent" + (i == 0 ? "" : "-" + (i + 1)) : "vol" + i);
        if (r.nextBoolean()) {
          v.putObject("emptyDir");
        } else {
          v.putObject("configMap").put("name", "cm");
        }
      }
      dedupeByName(volumes);
    }
    return pod;
  }

  private static ObjectNode container(Random r, Set<String> used) {
    String name;
    do {
      name = pick(r, NAMES) + (r.nextBoolean() ? "" : "-" + r.nextInt(5));
    } while (!used.add(name));
    ObjectNode c = NODES.objectNode();
    c.put("name", name);
    c.put(
        "image",
        pick(r, List.of("a:1", "reg:5000/b:2@sha256:00", "c", "docker.io/istio/proxyv2:1")));
    if (r.nextBoolean()) {
      ArrayNode env = c.putArray("env");
      Set<String> names = new HashSet<>();
      for (int i = 0, n = r.nextInt(4); i < n; i++) {
        String var =
            pick(
                r,
                List.of(
                    "JAVA_TOOL_OPTIONS",
                    "OTEL_SERVICE_NAME",
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "OTEL_TRACES_SAMPLER",
                    "PLAIN",
                    "TRACEROLL_POD_NAME"));
        if (!names.add(var)) {
          continue;
        }
        ObjectNode e = env.addObject().put("name", var);
        if (r.nextInt(3) == 0) {
          e.putObject("valueFrom").putObject("configMapKeyRef").put("name", "cm").put("key", "k");
        } else {
          e.put("value", r.nextBoolean() ? "k=v,x=y" : "-Dp=" + r.nextInt(9));
        }
      }
    }
    if (r.nextInt(4) == 0) {
      c.putArray("volumeMounts")
          .addObject()
          .put("name", "vol0")
          .put("mountPath", "/traceroll/agent");
    }
    return c;
  }

  private static void dedupeByName(ArrayNode list) {
    Set<String> seen = new HashSet<>();
    for (int i = list.size() - 1; i >= 0; i--) {
      if (!seen.add(list.get(i).path("name").asText())) {
        list.remove(i);
      }
    }
  }

  private static <T> T pick(Random r, List<T> options) {
    return options.get(r.nextInt(options.size()));
  }
}
