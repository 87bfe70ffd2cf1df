package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.traceroll.api.Traceroll;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Pod-create latency through the real kube-apiserver, with and without our webhook in the path: the
 * same pods created one after another in a namespace the webhook injects into and in one it does
 * not. Not a test: run with {@code make bench-apiserver}.
 */
public final class PodCreateBenchmark {
  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    TestCluster cluster = new TestCluster();
    cluster.installCrd();
    cluster.ensureNamespace(TestCluster.OPERATOR_NAMESPACE);
    try (OperatorProcess operator =
        OperatorProcess.start(TestCluster.OPERATOR_NAMESPACE, Map.of())) {
      String policyNs = cluster.createNamespace("bench-obs", Map.of());
      cluster.client.resource(TestCluster.sample("tracingpolicy-otlp.yaml", policyNs)).create();
      awaitWebhook(cluster, operator);
      String injected =
          cluster.createNamespace(
              "bench-inj",
              Map.of(
                  Traceroll.INJECT_LABEL,
                  Traceroll.INJECT_ENABLED,
                  Traceroll.POLICY_LABEL,
                  policyNs + ".to-collector"));
      String plain = cluster.createNamespace("bench-plain", Map.of());
      // Warm up both paths (connections, JIT) before measuring.
      measure(cluster, injected, "warm-i", 50);
      measure(cluster, plain, "warm-p", 50);
      long[] without = measure(cluster, plain, "p", pods);
      long[] with = measure(cluster, injected, "i", pods);
      Pod sample = cluster.client.pods().inNamespace(injected).withName("i-0").get();
      System.out.printf(
          Locale.ROOT,
          "injected pod carries the agent: %s%n",
          sample.getSpec().getInitContainers().stream()
              .anyMatch(c -> c.getName().startsWith("traceroll-agent")));
      print("without webhook", without);
      print("with webhook", with);
      // Every admission the webhook answered, by result: the API server calls it again for a pod
      // (an "unchanged" answer) when something changed the pod after the first call.
      double injectedCalls = operator.admissions("injected");
      double unchangedCalls = operator.admissions("unchanged");
      System.out.printf(
          Locale.ROOT,
          "webhook calls: %.0f injected, %.0f unchanged: %.2f calls per injected pod%n",
          injectedCalls,
          unchangedCalls,
          (injectedCalls + unchangedCalls) / injectedCalls);
      for (String ns : new String[] {policyNs, injected, plain}) {
        cluster.deleteNamespace(ns);
      }
    }
    cluster.client.close();
    System.exit(0);
  }

  private static long[] measure(TestCluster cluster, String namespace, String prefix, int count) {
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      Pod pod = pod(namespace, prefix + "-" + i);
      long start = System.nanoTime();
      cluster.client.resource(pod).create();
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  /** The benchmarks' pod: one container the webhook sees as a JVM by its JAVA_TOOL_OPTIONS. */
  static Pod pod(String namespace, String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("app.kubernetes.io/name", "bench")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("ghcr.io/example/java/bench:1.0.0")
        .addNewEnv()
        .withName("JAVA_TOOL_OPTIONS")
        .withValue("-Xmx128m")
        .endEnv()
        .endContainer()
        .endSpec()
        .build();
  }

  /** Waits until the webhook configuration sends pods to this operator process. */
  static void awaitWebhook(TestCluster cluster, OperatorProcess operator)
      throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      MutatingWebhookConfiguration mwc =
          cluster
              .client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName("traceroll-webhook")
              .get();
      if (mwc != null
          && mwc.getWebhooks().stream()
              .anyMatch(w -> operator.webhookUrl().equals(w.getClientConfig().getUrl()))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("webhook not registered");
  }

  private static void print(String label, long[] nanos) {
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "%-16s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n",
        label,
        nanos.length,
        q(nanos, 0.5),
        q(nanos, 0.9),
        q(nanos, 0.99),
        nanos[nanos.length - 1] / 1e6);
  }

  private static double q(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
