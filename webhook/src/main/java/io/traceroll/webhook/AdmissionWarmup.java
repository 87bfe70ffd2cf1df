package io.traceroll.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.NamespaceSelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a made-up pod of a made-up policy a few hundred times before the first real request, so
 * the first burst after a start finds the admission path loaded and compiled: cold, one admission
 * costs tens of milliseconds; a burst of them on two handler threads then outlasts the API server's
 * timeout and the pods start without the agent. Nothing leaves the process: no metrics, no spans,
 * no API calls.
 */
public final class AdmissionWarmup {
  /** Enough for the JIT's first tier to compile the hot methods (about 200 calls each). */
  public static final int ROUNDS = 400;

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWarmup.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private AdmissionWarmup() {}

  /**
   * Runs the warm-up on a background thread; the server calls it once it listens: earlier it would
   * take CPU from the start-up work before the first admission (two cores: about 0.4 s later),
   * later the first burst would meet cold code.
   */
  public static void startInBackground() {
    AdmissionServer.daemon("admission-warmup")
        .newThread(
            () -> {
              long start = System.nanoTime();
              int injected = run(ROUNDS);
              LOG.info(
                  "admission path warmed up: {} of {} made-up admissions injected in {} ms",
                  injected,
                  ROUNDS,
                  (System.nanoTime() - start) / 1_000_000);
            })
        .start();
  }

  /**
   * Runs the admission of a JVM pod {@code rounds} times on the calling thread; returns how many
   * came back injected (all of them, unless the mutation changed in a way this pod misses).
   */
  public static int run(int rounds) {
    TracingPolicy policy = new TracingPolicy();
    policy.getMetadata().setNamespace("traceroll-warmup");
    policy.getMetadata().setName("warmup");
    policy.getMetadata().setUid("warmup");
    policy.getMetadata().setGeneration(1L);
    policy.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
    policy.setSpec(new TracingPolicySpec());
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint("http://collector.warmup.invalid:4317");
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    policy.getSpec().setBackend(backend);
    Namespace namespace =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName("warmup")
            .withUid("warmup")
            .addToLabels(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED)
            .endMetadata()
            .build();
    PolicyResolver resolver =
        new PolicyResolver(
            () -> List.of(policy),
            name -> namespace,
            new NamespaceSelection("traceroll-warmup-operator"),
            () -> ImageVerdicts.NONE);
    int[] injected = {0};
    AdmissionHandler handler =
        new AdmissionHandler(
            resolver,
            (ns, outcome, nanos) -> {
              if (outcome == AdmissionHandler.Outcome.INJECTED) {
                injected[0]++;
              }
            });
    byte[] review = review();
    for (int i = 0; i < rounds; i++) {
      handler.handle(review);
    }
    return injected[0];
  }

  /** The review of a pod as a Deployment's ReplicaSet creates it: a JVM app and a sidecar. */
  private static byte[] review() {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "admission.k8s.io/v1");
    root.put("kind", "AdmissionReview");
    ObjectNode request = root.putObject("request");
    request.put("uid", "warmup");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("namespace", "warmup");
    request.put("operation", "CREATE");
    ObjectNode pod = request.putObject("object");
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    meta.put("generateName", "checkout-7d9f8c6b5-");
    meta.put("namespace", "warmup");
    meta.putObject("labels")
        .put("app.kubernetes.io/name", "checkout")
        .put("pod-template-hash", "7d9f8c6b5");
    meta.putArray("ownerReferences")
        .addObject()
        .put("apiVersion", "apps/v1")
        .put("kind", "ReplicaSet")
        .put("name", "checkout-7d9f8c6b5")
        .put("uid", "warmup-rs")
        .put("controller", true);
    ObjectNode spec = pod.putObject("spec");
    ObjectNode app = spec.putArray("containers").addObject();
    app.put("name", "checkout");
    app.put("image", "eclipse-temurin:17-jre");
    app.putArray("env").addObject().put("name", "JAVA_TOOL_OPTIONS").put("value", "-Xmx256m");
    app.putArray("ports").addObject().put("containerPort", 8080);
    app.putObject("resources").putObject("requests").put("memory", "256Mi").put("cpu", "100m");
    spec.withArray("containers")
        .addObject()
        .put("name", "envoy")
        .put("image", "envoyproxy/envoy:v1.31.0");
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
