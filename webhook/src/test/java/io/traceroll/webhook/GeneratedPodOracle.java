package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.byName;
import static io.traceroll.webhook.TestPods.bytes;
import static io.traceroll.webhook.TestPods.container;
import static io.traceroll.webhook.TestPods.names;
import static io.traceroll.webhook.TestPods.references;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.Traceroll;
import io.traceroll.policy.InjectionSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What must hold of a generated pod once mutated, decided without the mutator's code: which
 * containers get the agent ({@link #expectedTargets}), and the checks {@link
 * PodMutatorGeneratedPodsTest} makes of every result.
 */
final class GeneratedPodOracle {
  static final Set<String> OURS =
      Set.of(
          "TRACEROLL_POD_NAME",
          "TRACEROLL_NODE_NAME",
          "TRACEROLL_USER_JAVA_TOOL_OPTIONS",
          "TRACEROLL_USER_OTEL_RESOURCE_ATTRIBUTES");

  private GeneratedPodOracle() {}

  /** Names of the containers that must get the agent, decided without the mutator's code. */
  private static boolean setsJavaToolOptions(JsonNode container) {
    for (JsonNode e : container.path("env")) {
      if ("JAVA_TOOL_OPTIONS".equals(e.path("name").asText())) {
        return true;
      }
    }
    return false;
  }

  static Set<String> expectedTargets(JsonNode pod, List<String> policyContainerNames) {
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
            ? new HashSet<>(policyContainerNames)
            : Arrays.stream(annotation.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
    Set<String> targets = new LinkedHashSet<>();
    if (named.isEmpty()) {
      spec.path("containers")
          .forEach(
              c -> {
                // The generated images run a JVM (as the image probe found), sidecars aside; a
                // container naming no image is a JVM only if it sets JAVA_TOOL_OPTIONS.
                if (!isSidecar(c)
                    && (!c.path("image").asText("").isBlank() || setsJavaToolOptions(c))) {
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
    return GeneratedPods.SIDECAR_NAMES.contains(container.path("name").asText())
        || container.path("name").asText().equals("istio-init")
        || GeneratedPods.SIDECAR_IMAGES.contains(container.path("image").asText());
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
      JsonNode c = container(pod, name);
      String agentOption = null;
      for (JsonNode mount : c.path("volumeMounts")) {
        String path = mount.path("mountPath").asText();
        JsonNode volume = byName(spec.path("volumes"), mount.path("name").asText());
        if (volume != null && agentIsIn(spec, volume, name, settings)) {
          agentOption = "-javaagent:" + path + "/javaagent.jar";
        }
      }
      assertThat(agentOption).as("%s mounts a volume holding the agent: %s", name, why).isNotNull();
      // JAVA_TOOL_OPTIONS when the container set it (the webhook never adds it: the image's or an
      // envFrom's would be replaced), else _JAVA_OPTIONS.
      JsonNode jto = byName(c.path("env"), "JAVA_TOOL_OPTIONS");
      if (jto == null) {
        jto = byName(c.path("env"), "_JAVA_OPTIONS");
      }
      assertThat(jto).as("%s has JAVA_TOOL_OPTIONS or _JAVA_OPTIONS: %s", name, why).isNotNull();
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
        List.of("/futurePodField", "/metadata/futureMeta", "/spec/futureSpec", "/status")) {
      assertThat(after.at(pointer)).as(pointer + ": " + why).isEqualTo(before.at(pointer));
    }
    // Every label kept; the only one added is the agent's "pending" mark.
    JsonNode labelsBefore = before.path("metadata").path("labels");
    JsonNode labelsAfter = after.path("metadata").path("labels");
    ObjectNode added = labelsAfter.isObject() ? labelsAfter.deepCopy() : new ObjectNode(null);
    labelsBefore.properties().forEach(e -> added.remove(e.getKey()));
    labelsBefore
        .properties()
        .forEach(
            e ->
                assertThat(labelsAfter.get(e.getKey()))
                    .as("label %s kept: %s", e.getKey(), why)
                    .isEqualTo(e.getValue()));
    assertThat(added.properties())
        .as("labels added: " + why)
        .allSatisfy(
            e ->
                assertThat(e.getKey() + "=" + e.getValue().asText())
                    .isEqualTo(Traceroll.AGENT_LABEL + "=" + Traceroll.AGENT_PENDING));
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
        if (byName(c.path("env"), "JAVA_TOOL_OPTIONS") == null) {
          assertThat(byName(now.path("env"), "JAVA_TOOL_OPTIONS"))
              .as("JAVA_TOOL_OPTIONS never added, so the image's stays: %s", why)
              .isNull();
        }
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

  private static JsonNode fieldRef(String fieldPath) {
    ObjectNode valueFrom = JsonNodeFactory.instance.objectNode();
    valueFrom.putObject("fieldRef").put("fieldPath", fieldPath);
    return valueFrom;
  }
}
