package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayHeadersSecretDependent;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tail-sampling gateway: its children, readiness, changes, removal and backend headers. */
class TailSamplingGatewayTest extends ReconcilerTestBase {

  @Test
  void tailSamplingDeploysAGatewayThatAgentsExportToAndReadinessWaitsForIt() throws IOException {
    TracingPolicy policy = create(sample("tracingpolicy-tail.yaml"));

    ConfigMap config = awaitOwned(policy, () -> configMap("errors-first-gateway-config"));
    assertThat(config.getData().get("collector.yaml"))
        .contains("tail_sampling")
        .contains("threshold_ms: 2000")
        .contains("endpoint: http://errors-first-tempo.observability.svc:4317");
    Deployment gateway = awaitOwned(policy, () -> deployment("errors-first-gateway"));
    assertThat(gateway.getSpec().getReplicas()).isEqualTo(1);
    Service service = awaitOwned(policy, () -> service("errors-first-gateway"));
    assertThat(service.getSpec().getPorts())
        .extracting(ServicePort::getPort)
        .containsExactly(4317, 4318);
    assertThat(secret("errors-first-gateway-headers")).isNull();

    awaitReady("errors-first", "False", "TempoStarting");
    assertThat(get("errors-first").getStatus().getBackend().getEndpoint())
        .isEqualTo("http://errors-first-gateway.observability.svc:4317");
    markDeploymentReady("errors-first-tempo");
    awaitReady("errors-first", "False", "GatewayStarting");
    markDeploymentReady("errors-first-gateway");
    awaitReady("errors-first", "True", "Reconciled");
    assertThat(condition(get("errors-first"), "BackendReady").map(Condition::getMessage))
        .contains("Tempo is ready through the tail-sampling gateway");
  }

  @Test
  void tailChangesRollTheGatewayAndRemovingTailDeletesIt() throws IOException {
    create(sample("tracingpolicy-tail.yaml"));
    Deployment before = awaitPresent(() -> deployment("errors-first-gateway"));
    String hashBefore = configHash(before.getSpec().getTemplate());

    edit("errors-first", p -> p.getSpec().getSampling().getTail().setRatio(0.5));
    awaitData(
        "errors-first-gateway-config",
        "collector.yaml",
        yaml -> yaml.contains("sampling_percentage: 50.0"));
    awaitNewConfigHash(
        () -> deployment("errors-first-gateway").getSpec().getTemplate(), hashBefore);

    edit("errors-first", p -> p.getSpec().getSampling().setTail(null));
    awaitGone(() -> deployment("errors-first-gateway"));
    awaitGone(() -> service("errors-first-gateway"));
    awaitGone(() -> configMap("errors-first-gateway-config"));
    await()
        .until(
            () -> get("errors-first").getStatus().getBackend().getEndpoint(),
            "http://errors-first-tempo.observability.svc:4317"::equals);
    // Tempo stays.
    assertThat(deployment("errors-first-tempo")).isNotNull();
  }

  @Test
  void aGatewayBesideAVolumeBackedTempoIsLeftAloneByTheTempoDeploymentsPrecondition()
      throws Exception {
    TracingPolicy policy = sample("tracingpolicy-tempo.yaml");
    policy.getSpec().getSampling().setTail(new TailSampling());
    create(policy);

    awaitPresent(() -> statefulSet("default-tempo"));
    Deployment gateway = awaitPresent(() -> deployment("default-gateway"));
    // Tempo on a volume has no Deployment, and the workflow deletes "the" Tempo Deployment on
    // every reconcile: by name, so the gateway's stays.
    markStatefulSetReady("default-tempo");
    awaitReady("default", "False", "GatewayStarting");
    Thread.sleep(1000);
    assertThat(deployment("default-gateway").getMetadata().getUid())
        .isEqualTo(gateway.getMetadata().getUid());
    assertThat(deployment("default-tempo")).isNull();
  }

  @Test
  void theGatewaySendsTheBackendsHeadersFromTheUsersSecret() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-otlp.yaml");
    policy.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
    policy.getSpec().getSampling().setTail(new TailSampling());
    create(policy);

    Condition missing = awaitReady("to-collector", "False", "HeadersSecretNotFound");
    assertThat(missing.getMessage()).contains("observability/vendor-key");
    assertThat(deployment("to-collector-gateway")).isNull();

    createSecret("vendor-key", Map.of("headers", "api-key=s3cr%3Dt,x-tenant=shop"));

    Secret copy = awaitPresent(() -> secret("to-collector-gateway-headers"));
    assertThat(GatewayHeadersSecretDependent.value(copy, "headers.json"))
        .isEqualTo("{\"api-key\":\"s3cr=t\",\"x-tenant\":\"shop\"}");
    assertThat(copy.getMetadata().getOwnerReferences()).hasSize(1);
    Deployment gateway = awaitPresent(() -> deployment("to-collector-gateway"));
    var env = gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0);
    assertThat(env.getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("to-collector-gateway-headers");
    assertThat(configMap("to-collector-gateway-config").getData().get("collector.yaml"))
        .contains("${env:TRACEROLL_OTLP_HEADERS}")
        .doesNotContain("s3cr");

    edit("to-collector", p -> p.getSpec().getSampling().setTail(null));
    awaitGone(() -> secret("to-collector-gateway-headers"));
    awaitGone(() -> deployment("to-collector-gateway"));
  }
}
