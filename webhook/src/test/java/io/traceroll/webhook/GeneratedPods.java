package io.traceroll.webhook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The pods {@link PodMutatorGeneratedPodsTest} mutates: hand-written, from a seeded Random so a
 * failure reproduces. They mix application containers, sidecars (by name or image), init containers
 * (one named like ours), volumes named like ours, the annotations that opt out or name containers,
 * owners and labels the service identity is read from, and fields no model knows; the containers
 * themselves come from {@link GeneratedContainers}.
 */
public final class GeneratedPods {
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

  private GeneratedPods() {}

  public static ObjectNode generate(Random r, boolean userNodeNameHelper) {
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
          containers.add(
              GeneratedContainers.container(r, name, image, volumeNames, userNodeNameHelper));
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
          inits.add(
              GeneratedContainers.container(
                  r, name, pick(r, APP_IMAGES), mountable, userNodeNameHelper));
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

  private static String unique(Random r, List<String> options, Set<String> used) {
    for (int attempt = 0; attempt < 10; attempt++) {
      String name = pick(r, options);
      if (used.add(name)) {
        return name;
      }
    }
    return null;
  }

  static <T> T pick(Random r, List<T> options) {
    return options.get(r.nextInt(options.size()));
  }
}
