package io.traceroll.webhook;

import static io.traceroll.webhook.GeneratedPods.NODES;
import static io.traceroll.webhook.GeneratedPods.pick;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * The containers of {@link GeneratedPods}: mounts that may take our paths, and an env with the
 * user's own JAVA_TOOL_OPTIONS and OTEL_* settings (literal or from valueFrom), variables that
 * refer to others, and now and then a TRACEROLL_* helper of the user's.
 */
final class GeneratedContainers {
  static final List<String> MOUNT_PATHS =
      List.of("/traceroll/agent", "/traceroll/agent-2", "/data", "/config", "/tmp");

  private GeneratedContainers() {}

  static ObjectNode container(
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
    Collections.shuffle(entries, r);
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
}
