package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollout tests' workloads and policy: Deployments that already run (on KWOK), the sample OTLP
 * policy that governs their namespaces by label, and its rollout status.
 */
abstract class RolloutE2eBase extends OperatorE2eBase {
  static final String POLICY = "to-collector";

  // --- workloads ---

  /**
   * A one-replica Deployment; one that breaks with the agent crash-loops on KWOK once it is
   * instrumented.
   */
  static Deployment deployment(String ns, String name, boolean breaksWithAgent) {
    return Workloads.deployment(
        ns,
        name,
        1,
        "app",
        breaksWithAgent ? Map.of("traceroll.io/simulate", "crashloop-when-instrumented") : Map.of(),
        c -> c.withImage("ghcr.io/example/java/" + name + ":1.0"));
  }

  /** Waits until every app ("namespace/name") has its ready pod. */
  static void awaitReady(List<String> apps) {
    await()
        .atMost(TestCluster.timeout())
        .until(() -> apps.stream().allMatch(RolloutE2eBase::ready));
  }

  static boolean ready(String app) {
    String[] ref = app.split("/");
    Deployment d = cluster.client.apps().deployments().inNamespace(ref[0]).withName(ref[1]).get();
    return d != null
        && d.getStatus() != null
        && Integer.valueOf(1).equals(d.getStatus().getReadyReplicas());
  }

  static List<Pod> podsOf(String ns, String app) {
    return cluster.client.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static int replicaSets(String ns) {
    return cluster.client.apps().replicaSets().inNamespace(ns).list().getItems().size();
  }

  // --- the namespaces' labels ---

  /** Labels the namespace for injection, governed by the policy in policyNs. */
  static void governBy(String ns, String policyNs) {
    label(
        ns,
        Map.of(
            Traceroll.INJECT_LABEL,
            Traceroll.INJECT_ENABLED,
            Traceroll.POLICY_LABEL,
            policyNs + "." + POLICY));
  }

  /** Replaces the namespace's injection and policy labels with these. */
  static void label(String ns, Map<String, String> labels) {
    cluster
        .client
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              var current = new HashMap<>(n.getMetadata().getLabels());
              current.remove(Traceroll.INJECT_LABEL);
              current.remove(Traceroll.POLICY_LABEL);
              current.putAll(labels);
              n.getMetadata().setLabels(current);
              return n;
            });
  }

  // --- the policy ---

  static Resource<TracingPolicy> policy(String policyNs) {
    return cluster.client.resources(TracingPolicy.class).inNamespace(policyNs).withName(POLICY);
  }

  static RolloutStatus rollout(String policyNs) {
    TracingPolicy p = policy(policyNs).get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getRollout();
  }

  /**
   * Merges the JSON into the policy's spec.rollout: a merge patch names no resourceVersion, so the
   * operator's own writes (status, finalizer) never make it conflict.
   */
  static void patchRollout(String policyNs, String rolloutJson) {
    policy(policyNs)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"rollout\":" + rolloutJson + "}}");
  }
}
