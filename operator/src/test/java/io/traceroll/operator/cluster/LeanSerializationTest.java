package io.traceroll.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.traceroll.operator.rollout.PodFacts;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanSerializationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization FULL = new KubernetesSerialization();
  private final LeanSerialization lean = new LeanSerialization();

  /** A watch event as the API server writes it: type, then the object, its kind first. */
  static String event(String type, Object object) {
    JsonNode tree = readTree(FULL.asJson(object));
    ObjectNode ordered = JSON.createObjectNode();
    ordered.set("kind", tree.get("kind"));
    ordered.set("apiVersion", tree.get("apiVersion"));
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      var field = it.next();
      ordered.set(field.getKey(), field.getValue());
    }
    ObjectNode event = JSON.createObjectNode();
    event.put("type", type);
    event.set("object", ordered);
    return event.toString();
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Object read(String event) {
    WatchEvent read = lean.unmarshal(event, WatchEvent.class);
    return read.getObject();
  }

  @Test
  void aPodEventReadsAsTheLeanStoreKeepsIt() throws Exception {
    Pod served = LeanStoreTest.served();
    assertThat(served.getMetadata().getManagedFields()).isNotEmpty();

    WatchEvent event = lean.event(event("MODIFIED", served));

    assertThat(event).as("read the lean way, not handed back to the client").isNotNull();
    assertThat(event.getType()).isEqualTo("MODIFIED");
    Pod pod = (Pod) event.getObject();
    assertThat(LeanStore.pod(pod)).isEqualTo(LeanStore.pod(served));
    assertThat(PodFacts.of(pod)).isEqualTo(PodFacts.of(served));
    assertThat(pod.getStatus().getPodIP()).isEqualTo("10.88.0.17");
    assertThat(pod.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(pod.getMetadata().getUid()).isEqualTo(served.getMetadata().getUid());
    assertThat(pod.getSpec().getVolumes()).isNullOrEmpty();
    assertThat(pod.getSpec().getInitContainers()).isNullOrEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getResources()).isNull();
    assertThat(pod.getStatus().getPodIPs()).isNullOrEmpty();
    // What is skipped is skipped, not kept aside as an unknown field.
    assertThat(pod.getSpec().getAdditionalProperties()).isEmpty();
    assertThat(pod.getStatus().getAdditionalProperties()).isEmpty();
    assertThat(pod.getSpec().getContainers().get(0).getAdditionalProperties()).isEmpty();
  }

  @Test
  void aWorkloadEventKeepsAllButManagedFields() {
    Deployment served =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("shop")
            .withNamespace("shop")
            .withGeneration(3L)
            .withManagedFields(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl")
                    .withOperation("Apply")
                    .build())
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .withNewSelector()
            .addToMatchLabels("app", "shop")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "shop")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("shop:1")
            .withNewResources()
            .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
            .endResources()
            .endContainer()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withReadyReplicas(2)
            .endStatus()
            .build();

    WatchEvent event = lean.event(event("ADDED", served));

    assertThat(event).isNotNull();
    Deployment read = (Deployment) event.getObject();
    assertThat(read.getMetadata().getManagedFields()).isNullOrEmpty();
    // The pod template is whole: the rollout reads it and the pod's trimming does not apply.
    assertThat(read.getSpec()).isEqualTo(served.getSpec());
    assertThat(read.getStatus()).isEqualTo(served.getStatus());
    served.getMetadata().setManagedFields(new java.util.ArrayList<>());
    assertThat(read).isEqualTo(served);
  }

  @Test
  void whatItDoesNotReadTheClientReadsItsOwnWay() {
    Status gone = new StatusBuilder().withCode(410).withReason("Expired").build();
    ConfigMap map =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("m")
            .endMetadata()
            .addToData("k", "v")
            .build();
    Pod pod = new Pod();
    pod.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("p").build());
    String apiVersionFirst = "{\"type\":\"ADDED\",\"object\":" + FULL.asJson(pod) + "}";

    assertThat(lean.event(event("ERROR", gone))).isNull();
    assertThat(read(event("ERROR", gone))).isInstanceOf(Status.class);
    assertThat(lean.event(event("ADDED", map))).isNull();
    assertThat(read(event("ADDED", map))).isEqualTo(map);
    assertThat(lean.event(apiVersionFirst)).isNull();
    assertThat(read(apiVersionFirst)).isEqualTo(pod);
    assertThat(lean.event("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",")).isNull();
  }

  @Test
  void aBookmarkCarriesItsResourceVersion() {
    String bookmark =
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":"
            + "{\"resourceVersion\":\"4711\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}";

    WatchEvent event = lean.event(bookmark);

    assertThat(event.getType()).isEqualTo("BOOKMARK");
    assertThat(((Pod) event.getObject()).getMetadata().getResourceVersion()).isEqualTo("4711");
  }
}
