package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real-pod tier: Traceroll installed by the chart and running as two pods on the local
 * cluster's real node, a Jaeger v2 pod as the policy's OTLP backend, and Java workloads whose
 * containers really start, with or without the agent. Each theme is a class of its own that this
 * one nests, so they share one install (the chart's names are cluster-wide: one release at a time);
 * the themes that disturb the operator (scaling it to zero, deleting its leader) run last.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class RealNodeE2eTest {
  static final String POLICY = "traces";

  @RegisterExtension static final RealNodeInstall install = new RealNodeInstall();

  /** The policy's namespace, where Jaeger runs too. */
  static String policyNs;

  @BeforeAll
  static void startBackendAndPolicy() throws Exception {
    KubernetesClient client = install.client();
    policyNs = install.namespace("rn-obs", Map.of());
    RealNode.startJaeger(client, policyNs);
    // Every trace, agents polling every 2 s (so a sampling change shows quickly), and a health
    // gate that gives a JVM with the agent time to start but gives up on a crash loop at once.
    install.cluster.create(
        policyNs,
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: %s}
        spec:
          backend:
            otlpEndpoint: {endpoint: "http://jaeger.%s.svc:4317", protocol: grpc}
          sampling:
            default: {ratio: 1.0}
            remote: {pollInterval: 2s}
          rollout:
            strategy: Staged
            maxConcurrent: 2
            healthGate: {timeout: 2m, maxRestarts: 1}
        """
            .formatted(POLICY, policyNs));
    await()
        .atMost(TestCluster.timeout())
        .until(() -> "True".equals(TestCluster.readyStatus(policy(client))));
    // The shop's image names no runtime: the operator learns it runs a JVM by probing it, which
    // the other themes' shop pods need (ImageProbe checks what was seen here).
    RealPodImageProbe.learn(client, install, policyNs);
  }

  static TracingPolicy policy(KubernetesClient client) {
    return client.resources(TracingPolicy.class).inNamespace(policyNs).withName(POLICY).get();
  }

  /**
   * Merges {@code {"field": json}} into the policy's spec: a merge patch names no resourceVersion,
   * so the operator's own writes (status, finalizer) never make it conflict.
   */
  static void patchSpec(KubernetesClient client, String field, String json) {
    client
        .resources(TracingPolicy.class)
        .inNamespace(policyNs)
        .withName(POLICY)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"" + field + "\":" + json + "}}");
  }

  /** A new namespace the policy governs, with these labels besides. */
  static String governedNamespace(String prefix, Map<String, String> more) {
    var labels = new HashMap<>(RealNodeInstall.governedBy(policyNs, POLICY));
    labels.putAll(more);
    return install.namespace(prefix, labels);
  }

  @Nested
  @Order(1)
  class Installed extends RealNodeInstallChecks {}

  @Nested
  @Order(2)
  class ImageProbe extends RealPodImageProbe {}

  @Nested
  @Order(3)
  class Traces extends RealPodTraces {}

  @Nested
  @Order(4)
  class Admission extends RealPodAdmission {}

  @Nested
  @Order(5)
  class Rollout extends RealPodRollout {}
}
