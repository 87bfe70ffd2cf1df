package io.traceroll.operator.cluster;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonIncludeProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads the watch events of the caches that hold the whole cluster (every pod and workload, on the
 * leader; pods waiting for their agent, on every replica) at about a third of the cost of the
 * client's own reading, which was most of the operator's CPU while pods are created: fabric8 reads
 * each event's object into a JSON tree to learn its kind, then converts the tree to the class.
 *
 * <p>Here the event's {@code type} and its object's {@code kind}, which the API server writes first
 * (Go encodes a struct's fields in order: {@code TypeMeta} leads every object), are read off the
 * stream and the rest goes straight into the class of that kind, skipping what nothing reads:
 *
 * <ul>
 *   <li>every kind: {@code metadata.managedFields};
 *   <li>pods, also: all but what {@link LeanStore} keeps of a pod, plus {@code status.podIP} (the
 *       agent-contact index).
 * </ul>
 *
 * Anything else (an {@code ERROR} event's Status, another kind, fields in another order) is read
 * the client's own way. Only for reading: a client built on this must never write a pod or a
 * workload, whose dropped fields would be lost.
 */
public final class LeanSerialization extends KubernetesSerialization {
  private final ObjectMapper events;
  private final Map<String, ObjectReader> byKind;

  @JsonIgnoreProperties({"managedFields"})
  private abstract static class LeanMeta {}

  @JsonIncludeProperties({"nodeName", "securityContext", "hostNetwork", "containers"})
  private abstract static class LeanPodSpec {}

  @JsonIncludeProperties({
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "env",
    "securityContext"
  })
  private abstract static class LeanContainer {}

  @JsonIncludeProperties({
    "phase",
    "reason",
    "podIP",
    "conditions",
    "containerStatuses",
    "initContainerStatuses"
  })
  private abstract static class LeanPodStatus {}

  @JsonIncludeProperties({"type", "status"})
  private abstract static class LeanPodCondition {}

  public LeanSerialization() {
    this(
        new ObjectMapper().addMixIn(ObjectMeta.class, LeanMeta.class),
        new ObjectMapper()
            .addMixIn(ObjectMeta.class, LeanMeta.class)
            .addMixIn(PodSpec.class, LeanPodSpec.class)
            .addMixIn(Container.class, LeanContainer.class)
            .addMixIn(PodStatus.class, LeanPodStatus.class)
            .addMixIn(PodCondition.class, LeanPodCondition.class));
  }

  private LeanSerialization(ObjectMapper workloads, ObjectMapper pods) {
    super(workloads, true);
    // Configured as the client configures its own (Go's JSON quirks, unknown fields kept).
    new KubernetesSerialization(pods, true);
    this.events = workloads;
    this.byKind =
        Map.of(
            "Pod", pods.readerFor(Pod.class),
            "Deployment", workloads.readerFor(Deployment.class),
            "StatefulSet", workloads.readerFor(StatefulSet.class),
            "DaemonSet", workloads.readerFor(DaemonSet.class));
  }

  /** A client like {@code base} (same configuration) whose reads go through this serialization. */
  public static KubernetesClient client(KubernetesClient base) {
    return new KubernetesClientBuilder()
        .withConfig(base.getConfiguration())
        .withKubernetesSerialization(new LeanSerialization())
        .build();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T unmarshal(String str, Class<T> type) {
    if (type == WatchEvent.class) {
      WatchEvent event = event(str);
      if (event != null) {
        return (T) event;
      }
    }
    return super.unmarshal(str, type);
  }

  /** The event read the lean way, or null when it is not one this reads. */
  WatchEvent event(String str) {
    try (JsonParser p = events.createParser(str.getBytes(StandardCharsets.UTF_8))) {
      if (p.nextToken() != JsonToken.START_OBJECT || !"type".equals(p.nextFieldName())) {
        return null;
      }
      String type = p.nextTextValue();
      if (type == null
          || "ERROR".equals(type)
          || !"object".equals(p.nextFieldName())
          || p.nextToken() != JsonToken.START_OBJECT
          || !"kind".equals(p.nextFieldName())) {
        return null;
      }
      ObjectReader reader = byKind.get(p.nextTextValue());
      if (reader == null) {
        return null;
      }
      // On the next field name: the reader takes the object from there, as for a type property.
      p.nextToken();
      HasMetadata object = reader.readValue(p);
      return new WatchEvent(object, type);
    } catch (IOException | RuntimeException e) {
      // Not the shape expected: the client's own reading decides (and reports) what it is.
      return null;
    }
  }
}
