package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.telemetry.InMemoryTracing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The reconciler tests' fixture: a fresh operator on the mock API server for each test, with its
 * self-tracing in memory, and the reads and writes those tests make in the policies' namespace.
 */
abstract class ReconcilerTestBase {
  static final String NS = "observability";

  MockCluster cluster;
  InMemoryTracing traces;

  @BeforeEach
  void start() {
    traces = new InMemoryTracing();
    cluster = new MockCluster(traces.tracing);
  }

  @AfterEach
  void stop() {
    cluster.close();
    traces.close();
  }

  // --- the policy ---

  static TracingPolicy sample(String file) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("../examples", file))) {
      return Serialization.unmarshal(in, TracingPolicy.class);
    }
  }

  TracingPolicy create(TracingPolicy policy) {
    return cluster.client.resource(policy).inNamespace(NS).create();
  }

  /** Creates the example policy "default", Tempo on a volume, and waits for its StatefulSet. */
  StatefulSet createVolumeBackedTempo() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    return awaitPresent(() -> statefulSet("default-tempo"));
  }

  /** Changes a policy, retrying when the operator's own write (status, finalizer) got in first. */
  void edit(String name, Consumer<TracingPolicy> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        cluster
            .client
            .resources(TracingPolicy.class)
            .inNamespace(NS)
            .withName(name)
            .edit(
                p -> {
                  change.accept(p);
                  return p;
                });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  TracingPolicy get(String name) {
    return cluster.client.resources(TracingPolicy.class).inNamespace(NS).withName(name).get();
  }

  Condition awaitReady(String name, String status, String reason) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                Optional.ofNullable(get(name).getStatus())
                    .flatMap(s -> condition(get(name), "Ready")),
            c ->
                c.isPresent()
                    && c.get().getStatus().equals(status)
                    && c.get().getReason().equals(reason))
        .orElseThrow();
  }

  static Optional<Condition> condition(TracingPolicy policy, String type) {
    return policy.getStatus() == null
        ? Optional.empty()
        : PolicyConditions.find(policy.getStatus().getConditions(), type);
  }

  /** Waits until the read finds the child, checks that it names the policy as its owner. */
  static <T extends HasMetadata> T awaitOwned(TracingPolicy policy, Callable<T> read) {
    T child = awaitPresent(read);
    OwnerReference owner = child.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getKind()).isEqualTo("TracingPolicy");
    assertThat(owner.getName()).isEqualTo(policy.getMetadata().getName());
    assertThat(owner.getUid()).isEqualTo(policy.getMetadata().getUid());
    return child;
  }

  // --- what the user creates, what Kubernetes would report ---

  void createSecret(String name, Map<String, String> stringData) {
    cluster
        .client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withStringData(stringData)
                .build())
        .create();
  }

  void markStatefulSetReady(String name) {
    StatefulSet sts = statefulSet(name);
    sts.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
    cluster.client.resource(sts).updateStatus();
  }

  void markDeploymentReady(String name) {
    Deployment deployment = deployment(name);
    deployment.setStatus(
        new DeploymentStatusBuilder().withReplicas(1).withReadyReplicas(1).build());
    cluster.client.resource(deployment).updateStatus();
  }

  // --- the children ---

  /** Waits until the read finds the object, and returns it. */
  static <T> T awaitPresent(Callable<T> read) {
    return await().until(read, Objects::nonNull);
  }

  /** Waits until the read finds nothing. */
  static void awaitGone(Callable<?> read) {
    await().until(() -> read.call() == null);
  }

  /** Waits until the pod template carries another config hash than the one before. */
  static void awaitNewConfigHash(Callable<PodTemplateSpec> template, String before) {
    await().until(() -> configHash(template.call()), hash -> !hash.equals(before));
  }

  /** Waits until the entry under key of the ConfigMap satisfies the condition. */
  void awaitData(String configMap, String key, Predicate<String> condition) {
    await().until(() -> configMap(configMap).getData().get(key), condition);
  }

  static String configHash(PodTemplateSpec template) {
    return template.getMetadata().getAnnotations().get(Traceroll.CONFIG_HASH_ANNOTATION);
  }

  Secret secret(String name) {
    return cluster.client.secrets().inNamespace(NS).withName(name).get();
  }

  ConfigMap configMap(String name) {
    return cluster.client.configMaps().inNamespace(NS).withName(name).get();
  }

  StatefulSet statefulSet(String name) {
    return cluster.client.apps().statefulSets().inNamespace(NS).withName(name).get();
  }

  Deployment deployment(String name) {
    return cluster.client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  Service service(String name) {
    return cluster.client.services().inNamespace(NS).withName(name).get();
  }
}
