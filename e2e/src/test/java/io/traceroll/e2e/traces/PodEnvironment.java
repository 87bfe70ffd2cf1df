package io.traceroll.e2e.traces;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment a kubelet would give a container of a stored pod: literal values with {@code
 * $(VAR)} expanded against the variables defined before them, and downward-API fields resolved.
 * Lets a local JVM run with exactly what the admission webhook put into the pod.
 */
public final class PodEnvironment {
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  private PodEnvironment() {}

  public static Map<String, String> of(Pod pod, String containerName) {
    Container container =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getName().equals(containerName))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no container " + containerName));
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), expand(var.getValue() == null ? "" : var.getValue(), env));
      } else if (var.getValueFrom().getFieldRef() != null) {
        env.put(var.getName(), field(pod, var.getValueFrom().getFieldRef().getFieldPath()));
      } else {
        throw new IllegalArgumentException(
            "cannot resolve " + var.getName() + " locally: " + var.getValueFrom());
      }
    }
    return env;
  }

  /** Kubernetes semantics: a reference to an undefined variable stays as written. */
  static String expand(String value, Map<String, String> defined) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = defined.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  private static String field(Pod pod, String path) {
    return switch (path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      default -> throw new IllegalArgumentException("field " + path + " is not resolved locally");
    };
  }
}
