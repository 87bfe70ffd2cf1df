package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.Traceroll;

/**
 * Who a pod is, read from the pod alone (no API call): its service name, owning workload and
 * version, by the conventions OpenTelemetry and Kubernetes use.
 */
record ServiceIdentity(String workloadKind, String workloadName, String version) {

  /** Reads the owner workload and version of a pod (container-independent parts). */
  static ServiceIdentity of(JsonNode pod) {
    JsonNode meta = pod.path("metadata");
    String kind = null;
    String name = null;
    JsonNode owner = controllerOwner(meta.path("ownerReferences"));
    if (owner != null) {
      kind = owner.path("kind").asText(null);
      name = owner.path("name").asText(null);
      String hash = meta.path("labels").path("pod-template-hash").asText("");
      if ("ReplicaSet".equals(kind)
          && !hash.isEmpty()
          && name != null
          && name.endsWith("-" + hash)) {
        kind = "Deployment";
        name = name.substring(0, name.length() - hash.length() - 1);
      }
    }
    String version = text(meta.path("labels").path(Traceroll.VERSION_LABEL));
    return new ServiceIdentity(kind, name, version);
  }

  /**
   * The service name: the service-name annotation, else app.kubernetes.io/name, else the owner
   * workload, else the pod name, else the container name.
   */
  String serviceName(JsonNode pod, String containerName) {
    JsonNode meta = pod.path("metadata");
    String fromAnnotation = text(meta.path("annotations").path(Traceroll.SERVICE_NAME_ANNOTATION));
    if (fromAnnotation != null) {
      return fromAnnotation;
    }
    String fromLabel = text(meta.path("labels").path(Traceroll.NAME_LABEL));
    if (fromLabel != null) {
      return fromLabel;
    }
    if (workloadName != null) {
      return workloadName;
    }
    String podName = text(meta.path("name"));
    if (podName != null) {
      return podName;
    }
    String generateName = text(meta.path("generateName"));
    if (generateName != null && generateName.replaceAll("-+$", "").length() > 0) {
      return generateName.replaceAll("-+$", "");
    }
    return containerName;
  }

  /** The container's version: the version label, else the image tag (never a digest). */
  String versionOf(String image) {
    if (version != null) {
      return version;
    }
    if (image == null) {
      return null;
    }
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int colon = withoutDigest.lastIndexOf(':');
    int slash = withoutDigest.lastIndexOf('/');
    return colon > slash ? withoutDigest.substring(colon + 1) : null;
  }

  /** The resource attribute naming the workload, e.g. k8s.deployment.name. */
  String workloadAttribute() {
    if (workloadKind == null) {
      return null;
    }
    return switch (workloadKind) {
      case "Deployment" -> "k8s.deployment.name";
      case "ReplicaSet" -> "k8s.replicaset.name";
      case "StatefulSet" -> "k8s.statefulset.name";
      case "DaemonSet" -> "k8s.daemonset.name";
      case "Job" -> "k8s.job.name";
      case "CronJob" -> "k8s.cronjob.name";
      default -> null;
    };
  }

  private static JsonNode controllerOwner(JsonNode owners) {
    if (!owners.isArray() || owners.isEmpty()) {
      return null;
    }
    for (JsonNode o : owners) {
      if (o.path("controller").asBoolean(false)) {
        return o;
      }
    }
    return owners.get(0);
  }

  private static String text(JsonNode node) {
    return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
  }
}
