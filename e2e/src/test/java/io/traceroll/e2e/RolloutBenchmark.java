package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Time to roll tracing out to N running Deployments with maxConcurrent M on the local cluster, and
 * the operator's CPU time and peak memory meanwhile. Not a test: {@code make bench-rollout}.
 */
public final class RolloutBenchmark {
  public static void main(String[] args) throws Exception {
    int workloads = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int maxConcurrent = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    TestCluster cluster = new TestCluster();
    cluster.installCrd();
    cluster.ensureNamespace(TestCluster.OPERATOR_NAMESPACE);
    String policyNs = cluster.createNamespace("bench-obs", Map.of());
    String apps = cluster.createNamespace("bench-apps", Map.of());
    for (int i = 0; i < workloads; i++) {
      cluster.client.resource(RolloutE2eBase.deployment(apps, "app-" + i, false)).create();
    }
    while (cluster.client.apps().deployments().inNamespace(apps).list().getItems().stream()
        .anyMatch(
            d ->
                d.getStatus() == null
                    || !Integer.valueOf(1).equals(d.getStatus().getReadyReplicas()))) {
      Thread.sleep(500);
    }
    try (OperatorProcess operator =
        OperatorProcess.start(TestCluster.OPERATOR_NAMESPACE, Map.of())) {
      long cpuBefore = cpuTicks(operator.pid());
      TracingPolicy policy = TestCluster.kwokSample("tracingpolicy-otlp.yaml", policyNs);
      policy.getSpec().getRollout().setMaxConcurrent(maxConcurrent);
      cluster.client.resource(policy).create();
      long start = System.nanoTime();
      cluster
          .client
          .namespaces()
          .withName(apps)
          .edit(
              n -> {
                n.getMetadata().getLabels().put(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED);
                n.getMetadata().getLabels().put(Traceroll.POLICY_LABEL, policyNs + ".to-collector");
                return n;
              });
      int maxRestarting = 0;
      long peakRss = 0;
      RolloutStatus status = null;
      while (status == null || status.getInstrumented() < workloads) {
        Thread.sleep(250);
        TracingPolicy current =
            cluster
                .client
                .resources(TracingPolicy.class)
                .inNamespace(policyNs)
                .withName("to-collector")
                .get();
        status = current.getStatus() == null ? null : current.getStatus().getRollout();
        if (status != null) {
          maxRestarting = Math.max(maxRestarting, status.getRestarting());
        }
        peakRss = Math.max(peakRss, kb(operator.pid(), "VmRSS"));
        if (System.nanoTime() - start > 900_000_000_000L) {
          throw new IllegalStateException(
              "rollout did not finish in 15 minutes: " + status.getSummary());
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (cpuTicks(operator.pid()) - cpuBefore) / 100.0;
      long restarts =
          cluster.client.apps().replicaSets().inNamespace(apps).list().getItems().size()
              - workloads;
      System.out.printf(
          Locale.ROOT,
          "%d workloads, maxConcurrent %d: instrumented in %.1f s (%d restarts, at most %d at once)%n",
          workloads,
          maxConcurrent,
          seconds,
          restarts,
          maxRestarting);
      System.out.printf(
          Locale.ROOT,
          "operator: %.1f s CPU (%.0f%% of one core on average), peak RSS %d MiB, VmHWM %d MiB%n",
          cpu,
          100 * cpu / seconds,
          peakRss / 1024,
          kb(operator.pid(), "VmHWM") / 1024);
      for (Deployment d : cluster.client.apps().deployments().inNamespace(apps).list().getItems()) {
        if (d.getSpec().getTemplate().getMetadata().getAnnotations() == null) {
          throw new IllegalStateException(d.getMetadata().getName() + " was never restarted");
        }
      }
    }
    cluster.deleteNamespace(apps);
    cluster.deleteNamespace(policyNs);
    cluster.client.close();
    System.exit(0);
  }

  private static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long kb(long pid, String field) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
