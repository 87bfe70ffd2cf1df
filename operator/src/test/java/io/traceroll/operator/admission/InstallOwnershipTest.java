package io.traceroll.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InstallOwnershipTest {
  KubernetesMockServer server;
  KubernetesClient client;
  MutatingWebhookConfiguration configuration;

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
    configuration =
        client
            .resource(
                new MutatingWebhookConfigurationBuilder()
                    .withNewMetadata()
                    .withName("traceroll-webhook")
                    .endMetadata()
                    .build())
            .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("tls")
                .withNamespace("ops")
                .endMetadata()
                .addToData("tls.crt", "eA==")
                .build())
        .create();
    client
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName("lease")
                .withNamespace("ops")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("replica-1")
                .endSpec()
                .build())
        .create();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void theSecretAndLeaseBecomeTheConfigurationsOnceAndKeepTheirContent() {
    InstallOwnership.adopt(client, configuration, "ops", "tls", "lease");
    InstallOwnership.adopt(client, configuration, "ops", "tls", "lease");

    var secret = client.secrets().inNamespace("ops").withName("tls").get();
    var lease = client.leases().inNamespace("ops").withName("lease").get();
    for (List<OwnerReference> owners :
        List.of(
            secret.getMetadata().getOwnerReferences(), lease.getMetadata().getOwnerReferences())) {
      assertThat(owners)
          .singleElement()
          .satisfies(
              o -> {
                assertThat(o.getKind()).isEqualTo("MutatingWebhookConfiguration");
                assertThat(o.getApiVersion()).isEqualTo("admissionregistration.k8s.io/v1");
                assertThat(o.getName()).isEqualTo("traceroll-webhook");
                assertThat(o.getUid()).isEqualTo(configuration.getMetadata().getUid());
              });
    }
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-1");
    assertThat(secret.getData()).containsKey("tls.crt");
  }

  @Test
  void withoutASecretNameOnlyTheLeaseIsAdoptedAndMissingObjectsAreSkipped() {
    InstallOwnership.adopt(client, configuration, "ops", null, "lease");
    InstallOwnership.adopt(client, configuration, "elsewhere", "tls", "lease");

    assertThat(
            client
                .secrets()
                .inNamespace("ops")
                .withName("tls")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .isEmpty();
    assertThat(
            client
                .leases()
                .inNamespace("ops")
                .withName("lease")
                .get()
                .getMetadata()
                .getOwnerReferences())
        .hasSize(1);
  }
}
