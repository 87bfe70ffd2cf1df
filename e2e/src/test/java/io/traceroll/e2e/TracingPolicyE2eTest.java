package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** The operator process against the real API server, controller manager and KWOK nodes. */
class TracingPolicyE2eTest extends OperatorE2eBase {

  @Test
  void policyYieldsReadyTempoWithOwnedChildrenAndGarbageCollectionRemovesThem() throws Exception {
    String ns = namespace("obs", Map.of());
    TracingPolicy policy = TestCluster.sample("tracingpolicy-tempo.yaml", ns);
    policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.MEMORY);
    policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
    TracingPolicy created = cluster.client.resource(policy).create();

    Deployment tempo = awaitPresent(() -> deployment(ns, "default-tempo"));
    Service service =
        awaitPresent(
            () -> cluster.client.services().inNamespace(ns).withName("default-tempo").get());
    ConfigMap config = awaitPresent(() -> configMap(ns, "default-tempo-config"));
    ConfigMap sampling = awaitPresent(() -> configMap(ns, "default-sampling"));
    for (HasMetadata child : new HasMetadata[] {tempo, service, config, sampling}) {
      assertThat(child.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
    }
    assertThat(service.getSpec().getPorts()).hasSize(6);

    // KWOK runs the Tempo pod, so the policy becomes Ready through a real rollout.
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              TracingPolicy current = policy(ns, "default");
              assertThat(current.getStatus()).isNotNull();
              assertThat(current.getStatus().getObservedGeneration())
                  .isEqualTo(current.getMetadata().getGeneration());
              assertThat(current.getStatus().getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("Ready");
                        assertThat(c.getStatus()).isEqualTo("True");
                      });
            });

    cluster.client.resource(policy(ns, "default")).delete();
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                deployment(ns, "default-tempo") == null
                    && configMap(ns, "default-tempo-config") == null
                    && configMap(ns, "default-sampling") == null
                    && cluster.client.services().inNamespace(ns).withName("default-tempo").get()
                        == null);
  }

  @Test
  void persistentStorageGivesAStatefulSetWithAClaimTemplate() throws Exception {
    String ns = namespace("obs-pv", Map.of());
    cluster.client.resource(TestCluster.sample("tracingpolicy-tempo.yaml", ns)).create();

    StatefulSet tempo =
        awaitPresent(
            () ->
                cluster
                    .client
                    .apps()
                    .statefulSets()
                    .inNamespace(ns)
                    .withName("default-tempo")
                    .get());
    assertThat(tempo.getSpec().getVolumeClaimTemplates())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getSpec().getResources().getRequests().get("storage").toString())
                    .isEqualTo("10Gi"));
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                !cluster
                    .client
                    .persistentVolumeClaims()
                    .inNamespace(ns)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  @Test
  void missingCredentialsSecretIsReportedAndNothingIsDeployed() throws Exception {
    String ns = namespace("obs-s3", Map.of());
    String yaml =
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: s3}
        spec:
          backend:
            tempo:
              storage: {type: s3, s3: {bucket: traces, credentialsSecret: {name: missing}}}
        """;
    cluster.client.resource(new ByteArrayInputStream(yaml.getBytes())).inNamespace(ns).create();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(conditions(ns, "s3"))
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Ready");
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("CredentialsSecretNotFound");
                        }));
    assertThat(cluster.client.v1().events().inNamespace(ns).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CredentialsSecretNotFound"));
    assertThat(deployment(ns, "s3-tempo")).isNull();
    assertThat(operator.isAlive()).isTrue();
  }

  @Test
  void tailSamplingRunsAReadyGatewayThatGoesWithTheTailSetting() throws Exception {
    String ns = namespace("obs-tail", Map.of());
    cluster.client.resource(TestCluster.sample("tracingpolicy-tail.yaml", ns)).create();

    // The API server accepts the gateway's Deployment (restricted security context, probes) and
    // KWOK runs its pod, so Ready waits for Tempo and the gateway through real rollouts.
    Deployment gateway = awaitPresent(() -> deployment(ns, "errors-first-gateway"));
    assertThat(gateway.getSpec().getReplicas()).isEqualTo(1);
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(conditions(ns, "errors-first"))
                    .anySatisfy(
                        c -> {
                          assertThat(c.getType()).isEqualTo("Ready");
                          assertThat(c.getStatus()).isEqualTo("True");
                        }));
    assertThat(policy(ns, "errors-first").getStatus().getBackend().getEndpoint())
        .isEqualTo("http://errors-first-gateway." + ns + ".svc:4317");

    mergePatch(ns, "errors-first", "{\"spec\":{\"sampling\":{\"tail\":null}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                deployment(ns, "errors-first-gateway") == null
                    && configMap(ns, "errors-first-gateway-config") == null
                    && cluster
                            .client
                            .services()
                            .inNamespace(ns)
                            .withName("errors-first-gateway")
                            .get()
                        == null);
    assertThat(deployment(ns, "errors-first-tempo")).isNotNull();
  }

  @Test
  void theApiServerAcceptsTheGrafanaDataSourceWhichGoesWhenDisabled() throws Exception {
    String ns = namespace("obs-grafana", Map.of());
    TracingPolicy policy = TestCluster.sample("tracingpolicy-grafana.yaml", ns);
    policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.MEMORY);
    policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
    TracingPolicy created = cluster.client.resource(policy).create();

    ConfigMap datasource = awaitPresent(() -> configMap(ns, "correlated-grafana-datasource"));
    assertThat(datasource.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid()));
    assertThat(datasource.getMetadata().getLabels()).containsEntry("grafana_datasource", "1");
    assertThat(datasource.getData().get("traceroll-" + ns + ".correlated.yaml"))
        .contains("url: http://correlated-tempo." + ns + ".svc:3200");

    mergePatch(ns, "correlated", "{\"spec\":{\"grafana\":{\"datasource\":{\"enabled\":false}}}}");
    await()
        .atMost(TestCluster.timeout())
        .until(() -> configMap(ns, "correlated-grafana-datasource") == null);
    assertThat(configMap(ns, "correlated-tempo-config")).isNotNull();
  }

  /**
   * Changes a policy by JSON merge patch: it carries no resourceVersion, so the operator's own
   * writes (status, finalizer) cannot make it fail with a conflict.
   */
  private static void mergePatch(String ns, String name, String patch) {
    cluster
        .client
        .resources(TracingPolicy.class)
        .inNamespace(ns)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }

  @Test
  void servesHealthAndPrometheusMetrics() throws Exception {
    assertThat(operator.get("/healthz")).startsWith("200");
    assertThat(operator.get("/readyz")).startsWith("200");
    assertThat(operator.get("/metrics")).startsWith("200").contains("jvm_memory_used_bytes");
  }

  private static List<Condition> conditions(String ns, String name) {
    TracingPolicy policy = policy(ns, name);
    return policy == null || policy.getStatus() == null
        ? List.of()
        : policy.getStatus().getConditions();
  }

  private static TracingPolicy policy(String ns, String name) {
    return cluster.client.resources(TracingPolicy.class).inNamespace(ns).withName(name).get();
  }

  private static Deployment deployment(String ns, String name) {
    return cluster.client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static ConfigMap configMap(String ns, String name) {
    return cluster.client.configMaps().inNamespace(ns).withName(name).get();
  }

  private static <T> T awaitPresent(Callable<T> get) throws Exception {
    await().atMost(TestCluster.timeout()).until(() -> get.call() != null);
    return get.call();
  }
}
