package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.RolloutStatus;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A theme of {@link HelmInstallE2eTest}, run as its {@code @Nested} class on the chart it
 * installed: the operator, with a token of the chart's ServiceAccount, carries a policy through its
 * life (Tempo and a tail-sampling gateway up, three kinds of workload instrumented, sampling
 * changed, the gateway removed, the policy deleted and its agent taken out) without one Forbidden.
 */
abstract class HelmPolicyLifecycle {
  static final String POLICY = "traced";
  static final String SELECTOR_LABEL = "traceroll.io/e2e-install";

  @Test
  void theChartsServiceAccountCarriesAPolicyThroughItsLifeWithoutAForbidden(HelmInstall helm)
      throws Exception {
    String shop = helm.namespace("shop", Map.of());
    String obs = helm.namespace("obs", Map.of());
    createWorkloads(helm, shop);
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                podsIn(helm, shop).size() == 5
                    && podsIn(helm, shop).stream().allMatch(HelmPolicyLifecycle::ready));

    // An admission that outlasts the API server's timeout admits the pod without the agent
    // (failing open), and the rollout restarts it again only after the health-gate timeout. On a
    // busy 2-core machine the first admissions of a cold webhook, or a burst of them, can take
    // over 3 s: allow the maximum 5 s, and warm the webhook up on dry-run pods in a governed
    // namespace without workloads before the real workloads are selected.
    helm.startOperator(Map.of("TRACEROLL_WEBHOOK_TIMEOUT_SECONDS", "5"));
    // Tempo in memory behind a tail-sampling gateway, selecting only this test's namespace.
    helm.createTempoPolicy(
        obs,
        POLICY,
        SELECTOR_LABEL,
        shop,
        "{default: {ratio: 1.0}, tail: {keepErrors: true, ratio: 0.1}}",
        "rollout: {strategy: Staged, maxConcurrent: 3, healthGate: {timeout: 30s, agentContact: false}}");
    helm.cluster.awaitInjects(helm.namespace("warm", Map.of(SELECTOR_LABEL, shop)));
    helm.client()
        .namespaces()
        .withName(shop)
        .patch(
            InstallPath.MERGE,
            "{\"metadata\":{\"labels\":{\"" + SELECTOR_LABEL + "\":\"" + shop + "\"}}}");

    // Tempo and the gateway run, the three workloads restart with the agent.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              TracingPolicy policy = helm.cluster.policy(obs, POLICY);
              assertThat(TestCluster.readyStatus(policy)).isEqualTo("True");
              RolloutStatus rollout = policy.getStatus().getRollout();
              assertThat(rollout).isNotNull();
              assertThat(rollout.getInstrumented()).isEqualTo(3);
              assertAgentInEveryPod(helm, shop, true);
            });

    // A sampling change rewrites the sampling ConfigMap.
    // Merge patches without a resourceVersion: the operator writes the policy meanwhile.
    patchPolicy(helm, obs, "{\"spec\":{\"sampling\":{\"default\":{\"ratio\":0.5}}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                String.valueOf(
                        helm.client()
                            .configMaps()
                            .inNamespace(obs)
                            .withName(POLICY + "-sampling")
                            .get()
                            .getData())
                    .contains("0.5"));

    // The backend becomes an OTLP endpoint that takes headers from the user's Secret: the
    // operator reads that Secret by name and applies the gateway's copy (it may not list or
    // watch Secrets); Tempo goes.
    helm.client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("vendor-key")
                .withNamespace(obs)
                .endMetadata()
                .addToStringData("headers", "api-key=s3cr%3Dt")
                .build())
        .create();
    patchPolicy(
        helm,
        obs,
        "{\"spec\":{\"backend\":{\"tempo\":null,\"otlpEndpoint\":{\"endpoint\":"
            + "\"http://collector.example:4317\",\"protocol\":\"grpc\","
            + "\"headersSecretName\":\"vendor-key\"}}}}");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              assertThat(headersCopy(helm, obs)).isNotNull();
              assertThat(headersCopy(helm, obs).getData()).containsKey("headers.json");
              assertThat(deployment(helm, obs, POLICY + "-tempo")).isNull();
            });

    // Without tail the gateway's Deployment, Service, ConfigMap and headers Secret go.
    patchPolicy(helm, obs, "{\"spec\":{\"sampling\":{\"tail\":null}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                deployment(helm, obs, POLICY + "-gateway") == null
                    && helm.client().services().inNamespace(obs).withName(POLICY + "-gateway").get()
                        == null
                    && helm.client()
                            .configMaps()
                            .inNamespace(obs)
                            .withName(POLICY + "-gateway-config")
                            .get()
                        == null
                    && headersCopy(helm, obs) == null);

    // Deleting the policy takes the agent out of the workloads, then the finalizer goes.
    helm.cluster.deletePolicy(obs, POLICY);
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              assertThat(helm.cluster.policy(obs, POLICY)).isNull();
              assertAgentInEveryPod(helm, shop, false);
            });

    helm.assertOperatorWasRefusedNothing();
    assertThat(helm.operator.isAlive()).isTrue();

    // The certificate Secret and the Lease the operator wrote belong to the chart's webhook
    // configuration, so uninstalling removes them (checked after the uninstall).
    String configurationUid = helm.cluster.webhookConfiguration().getMetadata().getUid();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(List.of(helm.certificateSecret(), helm.leaderLease()))
                    .allSatisfy(
                        o ->
                            assertThat(o.getMetadata().getOwnerReferences())
                                .anyMatch(r -> r.getUid().equals(configurationUid))));
  }

  /** A Deployment, a StatefulSet and a DaemonSet (3 pods on the 3 KWOK nodes) of one container. */
  private static void createWorkloads(HelmInstall helm, String ns) {
    createWorkload(helm, ns, "Deployment", "web", "example/java-web:1", "replicas: 1");
    createWorkload(
        helm, ns, "StatefulSet", "db", "example/java-store:1", "replicas: 1", "serviceName: db");
    createWorkload(helm, ns, "DaemonSet", "node-agent", "example/java-agent:1");
  }

  /** A workload of the kind whose pods (labelled app: name) run one container of the image. */
  private static void createWorkload(
      HelmInstall helm, String ns, String kind, String name, String image, String... spec) {
    helm.cluster.create(
        ns,
        """
        apiVersion: apps/v1
        kind: %s
        metadata: {name: %s, namespace: %s}
        spec:
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec: {containers: [{name: app, image: "%s"}]}
        """
            .formatted(kind, name, ns, name, name, image),
        spec);
  }

  /** The workloads' 5 pods carry the agent's annotation, or (injected false) none does. */
  private static void assertAgentInEveryPod(HelmInstall helm, String ns, boolean injected) {
    assertThat(podsIn(helm, ns))
        .hasSize(5)
        .allSatisfy(
            p -> {
              var annotations = assertThat(p.getMetadata().getAnnotations());
              if (injected) {
                annotations.containsKey(Traceroll.INJECTED_ANNOTATION);
              } else {
                annotations.doesNotContainKey(Traceroll.INJECTED_ANNOTATION);
              }
            });
  }

  private static List<Pod> podsIn(HelmInstall helm, String ns) {
    return helm.client().pods().inNamespace(ns).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static void patchPolicy(HelmInstall helm, String ns, String mergePatch) {
    helm.client()
        .resources(TracingPolicy.class)
        .inNamespace(ns)
        .withName(POLICY)
        .patch(InstallPath.MERGE, mergePatch);
  }

  private static Secret headersCopy(HelmInstall helm, String ns) {
    return helm.client().secrets().inNamespace(ns).withName(POLICY + "-gateway-headers").get();
  }

  private static Deployment deployment(HelmInstall helm, String ns, String name) {
    return helm.client().apps().deployments().inNamespace(ns).withName(name).get();
  }
}
