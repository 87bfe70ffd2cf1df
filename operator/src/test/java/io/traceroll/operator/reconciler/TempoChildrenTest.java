package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.sampling.SamplingStore;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A Tempo policy's children: created, owned, kept in step with the spec and restored. */
class TempoChildrenTest extends ReconcilerTestBase {

  @Test
  void createsEveryTempoChildWithOwnerReferenceAndBecomesReady() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-tempo.yaml"));

    ConfigMap config = awaitOwned(policy, () -> configMap("default-tempo-config"));
    StatefulSet tempo = awaitOwned(policy, () -> statefulSet("default-tempo"));
    Service service = awaitOwned(policy, () -> service("default-tempo"));
    ConfigMap sampling = awaitOwned(policy, () -> configMap("default-sampling"));
    assertThat(config.getData().get("tempo.yaml")).contains("block_retention: 168h");
    assertThat(
            tempo.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests())
        .containsEntry("storage", new Quantity("10Gi"));
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getPort)
        .containsExactly(3200, 4317, 4318, 14268, 14250, 9411);
    assertThat(sampling.getData().get("strategies.json")).contains("\"checkout\"");
    assertThat(sampling.getData())
        .containsEntry("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote")
        .containsEntry(
            "OTEL_TRACES_SAMPLER_ARG",
            "endpoint=http://default-sampling.observability.svc:14250,pollingIntervalMs=30000,"
                + "initialSamplingRate=0.1");

    // Tempo has no ready pod yet: not Ready, and the reason says why.
    awaitReady("default", "False", "TempoStarting");
    assertThat(get("default").getStatus().getBackend().getEndpoint())
        .isEqualTo("http://default-tempo.observability.svc:4317");

    markStatefulSetReady("default-tempo");
    awaitReady("default", "True", "Reconciled");
    TracingPolicy ready = get("default");
    assertThat(ready.getStatus().getObservedGeneration())
        .isEqualTo(ready.getMetadata().getGeneration());
    assertThat(condition(ready, "BackendReady").map(Condition::getStatus)).contains("True");
  }

  @Test
  void agentsReachTheSamplingServerThroughThePolicysServiceAndSeeChangesAfterOneReconcile()
      throws IOException {
    SamplingStore served = new SamplingStore(MockCluster.SAMPLING_HOST);
    served.watch(cluster.client, Set.of());
    try {
      TracingPolicy policy = create(sample("tracingpolicy-tempo.yaml"));

      Service route = awaitOwned(policy, () -> service("default-sampling"));
      assertThat(route.getSpec().getType()).isEqualTo("ExternalName");
      assertThat(route.getSpec().getExternalName()).isEqualTo(MockCluster.SAMPLING_HOST);
      assertThat(route.getSpec().getPorts())
          .extracting(ServicePort::getPort)
          .containsExactly(14250, 5778);
      String host = "default-sampling.observability.svc:14250";
      await()
          .until(
              () -> served.answer(host, "checkout"), a -> a.isPresent() && a.get().ratio() == 1.0);

      edit("default", p -> p.getSpec().getSampling().getServices().get(0).setRatio(0.25));

      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> served.answer(host, "checkout"), a -> a.isPresent() && a.get().ratio() == 0.25);
      assertThat(served.answer(host, "checkout").orElseThrow().operations())
          .containsEntry("GET /healthz", 0.0);
      assertThat(served.answer(host, "search").orElseThrow().maxTracesPerSecond()).isEqualTo(5);
    } finally {
      served.close();
    }
  }

  @Test
  void specChangeUpdatesChildrenAndRollsTempo() throws IOException {
    String hashBefore = configHash(createVolumeBackedTempo().getSpec().getTemplate());

    edit(
        "default",
        policy -> {
          policy.getSpec().getBackend().getTempo().setRetention("24h");
          policy.getSpec().getSampling().getDefaultSampling().setRatio(0.5);
        });

    awaitData("default-tempo-config", "tempo.yaml", yaml -> yaml.contains("block_retention: 24h"));
    awaitData(
        "default-sampling",
        "OTEL_TRACES_SAMPLER_ARG",
        arg -> arg.endsWith("initialSamplingRate=0.5"));
    awaitNewConfigHash(() -> statefulSet("default-tempo").getSpec().getTemplate(), hashBefore);
  }

  @Test
  void childDeletedOrEditedByHandIsRestored() throws IOException {
    create(sample("tracingpolicy-tempo.yaml"));
    awaitPresent(() -> service("default-tempo"));
    ConfigMap sampling = awaitPresent(() -> configMap("default-sampling"));

    cluster.client.resource(service("default-tempo")).delete();
    awaitPresent(() -> service("default-tempo"));

    sampling.getData().put("strategies.json", "{}");
    cluster.client.resource(sampling).update();
    awaitData("default-sampling", "strategies.json", json -> json.contains("default_strategy"));
  }
}
