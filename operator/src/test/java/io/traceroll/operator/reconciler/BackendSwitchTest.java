package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Which backend workload a policy gets, and what goes when the backend changes. */
class BackendSwitchTest extends ReconcilerTestBase {

  @Test
  void switchingStorageReplacesStatefulSetWithDeployment() throws IOException {
    createVolumeBackedTempo();

    edit(
        "default",
        policy -> {
          policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.MEMORY);
          policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
        });

    awaitPresent(() -> deployment("default-tempo"));
    awaitGone(() -> statefulSet("default-tempo"));
  }

  @Test
  void otlpEndpointCreatesNoTempoAndPublishesTheEndpoint() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));

    awaitReady("to-collector", "True", "Reconciled");
    TracingPolicy policy = get("to-collector");
    assertThat(policy.getStatus().getBackend().getType()).isEqualTo("otlpEndpoint");
    assertThat(policy.getStatus().getBackend().getEndpoint())
        .isEqualTo("http://otel-collector.observability.svc:4317");
    assertThat(configMap("to-collector-sampling")).isNotNull();
    assertThat(configMap("to-collector-tempo-config")).isNull();
    assertThat(statefulSet("to-collector-tempo")).isNull();
    assertThat(deployment("to-collector-tempo")).isNull();
    assertThat(service("to-collector-tempo")).isNull();
  }

  @Test
  void switchingToOtlpEndpointRemovesTempo() throws IOException {
    createVolumeBackedTempo();

    edit(
        "default",
        policy -> {
          OtlpEndpointBackend otlp = new OtlpEndpointBackend();
          otlp.setEndpoint("http://collector:4317");
          policy.getSpec().getBackend().setTempo(null);
          policy.getSpec().getBackend().setOtlpEndpoint(otlp);
        });

    awaitGone(() -> statefulSet("default-tempo"));
    awaitGone(() -> service("default-tempo"));
    awaitGone(() -> configMap("default-tempo-config"));
    awaitReady("default", "True", "Reconciled");
  }
}
