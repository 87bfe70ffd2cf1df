package io.traceroll.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.operator.rollout.PodFacts;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanStoreTest {
  static Pod served() throws Exception {
    try (InputStream in = LeanStoreTest.class.getResourceAsStream("/cluster/served-pod.yaml")) {
      return Serialization.unmarshal(in, Pod.class);
    }
  }

  @Test
  void aLeanPodReadsAsTheServedOneToTheRolloutAndTheImageProbe() throws Exception {
    Pod served = served();
    Pod lean = LeanStore.pod(served());

    assertThat(PodFacts.of(lean))
        .usingRecursiveComparison()
        .ignoringFields("annotations")
        .isEqualTo(PodFacts.of(served));
    assertThat(PodFacts.of(lean).annotations())
        .containsExactlyEntriesOf(Map.of("traceroll.io/injected", "observability.to-collector@1"));
    assertThat(PodFacts.of(lean).ready()).isTrue();
    assertThat(PodFacts.of(lean).maxRestartCount()).isEqualTo(2);
    assertThat(lean.getMetadata().getOwnerReferences())
        .isEqualTo(served.getMetadata().getOwnerReferences());
    assertThat(lean.getMetadata().getResourceVersion()).isEqualTo("48213");
    assertThat(lean.getSpec().getNodeName()).isEqualTo("traceroll-node");
    assertThat(lean.getSpec().getSecurityContext())
        .isEqualTo(served.getSpec().getSecurityContext());
    var app = lean.getSpec().getContainers().get(0);
    var servedApp = served.getSpec().getContainers().get(0);
    assertThat(app.getImage()).isEqualTo(servedApp.getImage());
    assertThat(app.getEnv()).isEqualTo(servedApp.getEnv());
    assertThat(app.getWorkingDir()).isEqualTo("/app");
    assertThat(lean.getStatus().getContainerStatuses())
        .isEqualTo(served.getStatus().getContainerStatuses());
    assertThat(lean.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void aLeanPodDropsWhatNothingReads() throws Exception {
    Pod served = served();
    Pod lean = LeanStore.pod(served);

    assertThat(lean.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(lean.getMetadata().getAnnotations()).containsOnlyKeys("traceroll.io/injected");
    assertThat(served.getMetadata().getAnnotations())
        .as("the served object is left as it was")
        .containsKey(LeanStore.LAST_APPLIED);
    assertThat(lean.getSpec().getVolumes()).isEmpty();
    assertThat(lean.getSpec().getInitContainers()).isEmpty();
    assertThat(lean.getSpec().getContainers().get(0).getVolumeMounts()).isEmpty();
    assertThat(lean.getSpec().getContainers().get(0).getReadinessProbe()).isNull();
    assertThat(lean.getStatus().getConditions())
        .allSatisfy(c -> assertThat(c.getLastTransitionTime()).isNull());
    int before = Serialization.asJson(served).getBytes(StandardCharsets.UTF_8).length;
    int after = Serialization.asJson(lean).getBytes(StandardCharsets.UTF_8).length;
    assertThat(after).as("bytes as JSON, of %d", before).isLessThan(before / 2);
  }

  @Test
  void aLeanWorkloadKeepsItsSpecAndDropsManagedFields() {
    Deployment served =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("shop")
            .withNamespace("shop")
            .addToAnnotations(LeanStore.LAST_APPLIED, "{}")
            .addToAnnotations("deployment.kubernetes.io/revision", "3")
            .addNewManagedField()
            .withManager("kubectl")
            .endManagedField()
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .withNewTemplate()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("traceroll.local/shop:1")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    LeanStore<Deployment> store = LeanStore.workloads();
    store.put("shop/shop", served);
    Deployment lean = store.get("shop/shop");

    assertThat(lean.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(lean.getMetadata().getAnnotations())
        .containsOnlyKeys("deployment.kubernetes.io/revision");
    assertThat(lean.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("traceroll.local/shop:1");
    assertThat(store.getKey(lean)).isEqualTo("shop/shop");
  }
}
