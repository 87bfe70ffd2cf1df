package io.traceroll.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class LeadershipTest {
  KubernetesClient client;

  Lease lease(String holder) {
    return client
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(Leadership.LEASE_NAME)
                .withNamespace("ops")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withLeaseDurationSeconds(30)
                .endSpec()
                .build())
        .create();
  }

  Lease current() {
    return client.resources(Lease.class).inNamespace("ops").withName(Leadership.LEASE_NAME).get();
  }

  @Test
  void aReplicaShuttingDownEmptiesTheLeaseItHolds() {
    Leadership leadership = new Leadership(() -> {});
    lease(leadership.identity());

    leadership.release(client, "ops");

    assertThat(current().getSpec().getHolderIdentity()).isEmpty();
    assertThat(current().getSpec().getLeaseDurationSeconds()).isEqualTo(1);
  }

  @Test
  void aLeaseAnotherReplicaHoldsIsLeftAlone() {
    lease("another-replica");

    new Leadership(() -> {}).release(client, "ops");

    assertThat(current().getSpec().getHolderIdentity()).isEqualTo("another-replica");
    assertThat(current().getSpec().getLeaseDurationSeconds()).isEqualTo(30);
  }

  @Test
  void withoutALeaseNothingHappens() {
    new Leadership(() -> {}).release(client, "ops");
    assertThat(current()).isNull();
  }
}
