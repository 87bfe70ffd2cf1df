package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.traceroll.api.v1alpha1.BasicAuthSecret;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A policy that names a Secret which is not there (or lacks a key) deploys nothing that would mount
 * it, says why in Ready, and recovers once the Secret is right.
 */
class MissingReferencesTest extends ReconcilerTestBase {

  @Test
  void missingCredentialsSecretGivesReadyFalseAndAnEventThenRecovers() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-tempo.yaml");
    S3Storage s3 = new S3Storage();
    s3.setBucket("traces");
    SecretKeys keys = new SecretKeys();
    keys.setName("tempo-s3");
    s3.setCredentialsSecret(keys);
    policy.getSpec().getBackend().getTempo().getStorage().setType(StorageType.S3);
    policy.getSpec().getBackend().getTempo().getStorage().setSize(null);
    policy.getSpec().getBackend().getTempo().getStorage().setS3(s3);
    create(policy);

    Condition ready = awaitReady("default", "False", "CredentialsSecretNotFound");
    assertThat(ready.getMessage()).contains("observability/tempo-s3");
    await()
        .until(
            () ->
                cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "CredentialsSecretNotFound".equals(e.getReason())
                                && "Warning".equals(e.getType())));
    // Nothing is deployed while the reference is broken, and the operator keeps running.
    assertThat(deployment("default-tempo")).isNull();

    createSecret("tempo-s3", Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "key"));
    Deployment tempo = awaitPresent(() -> deployment("default-tempo"));
    assertThat(tempo.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .contains("-config.expand-env=true");
    awaitReady("default", "False", "TempoStarting");
  }

  @Test
  void remoteWriteCredentialsMustExistBeforeTempoMountsThem() throws IOException {
    TracingPolicy policy = sample("tracingpolicy-grafana.yaml");
    BasicAuthSecret auth = new BasicAuthSecret();
    auth.setName("prom-writer");
    policy.getSpec().getBackend().getTempo().getMetricsGenerator().setBasicAuthSecret(auth);
    create(policy);

    Condition missing = awaitReady("correlated", "False", "CredentialsSecretNotFound");
    assertThat(missing.getMessage())
        .contains("observability/prom-writer")
        .contains("metricsGenerator.basicAuthSecret");
    assertThat(statefulSet("correlated-tempo")).isNull();

    createSecret("prom-writer", Map.of("username", "tempo"));
    awaitReady("correlated", "False", "CredentialsKeyMissing");

    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .withName("prom-writer")
        .edit(
            s -> {
              s.getStringData().put("password", "s3cret");
              return s;
            });
    StatefulSet tempo = awaitPresent(() -> statefulSet("correlated-tempo"));
    assertThat(tempo.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly("prom-writer");
    assertThat(configMap("correlated-tempo-config").getData().get("tempo.yaml"))
        .contains("password_file: /var/run/traceroll/remote-write/password")
        .doesNotContain("s3cret");
  }
}
