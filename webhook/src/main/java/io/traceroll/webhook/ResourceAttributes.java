package io.traceroll.webhook;

import io.traceroll.policy.InjectionSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OTEL_RESOURCE_ATTRIBUTES of an instrumented container, and the variable's format. */
final class ResourceAttributes {
  private ResourceAttributes() {}

  /**
   * Kubernetes attributes per the OpenTelemetry semantic conventions, then the policy's own (which
   * win over ours). Pod and node names come from the downward API at run time.
   */
  static Map<String, String> of(
      String namespace,
      String container,
      String image,
      ServiceIdentity identity,
      InjectionSettings settings) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("k8s.namespace.name", namespace);
    attributes.put("k8s.pod.name", "$(" + ContainerEnv.POD_NAME_VAR + ")");
    attributes.put("k8s.node.name", "$(" + ContainerEnv.NODE_NAME_VAR + ")");
    attributes.put("k8s.container.name", container);
    if (identity.workloadAttribute() != null) {
      attributes.put(identity.workloadAttribute(), identity.workloadName());
    }
    String version = identity.versionOf(image);
    if (version != null) {
      attributes.put("service.version", version);
    }
    attributes.put(
        "service.instance.id",
        namespace + "." + "$(" + ContainerEnv.POD_NAME_VAR + ")" + "." + container);
    attributes.putAll(settings.resourceAttributes());
    return attributes;
  }

  /** key=value pairs joined by commas; ',', '=' and '%' in values are percent-encoded. */
  static String format(Map<String, String> attributes) {
    StringBuilder out = new StringBuilder();
    attributes.forEach(
        (k, v) -> {
          if (out.length() > 0) {
            out.append(',');
          }
          out.append(k).append('=').append(encode(v));
        });
    return out.toString();
  }

  /** The keys present in an OTEL_RESOURCE_ATTRIBUTES value. */
  static List<String> keys(String value) {
    List<String> keys = new ArrayList<>();
    for (String pair : value.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        keys.add(pair.substring(0, eq).trim());
      }
    }
    return keys;
  }

  private static String encode(String value) {
    if (value.startsWith("$(")) {
      return value;
    }
    return value.replace("%", "%25").replace(",", "%2C").replace("=", "%3D");
  }
}
