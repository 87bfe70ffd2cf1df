package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.Traceroll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The chart installed by the real helm with the operator image built here, its two pods running on
 * the real node: the webhook is called by the API server through the traceroll-webhook Service,
 * with the certificate the operator issues itself. The images the tests' pods use are imported into
 * the node first.
 */
class RealNodeInstall extends HelmInstall {
  private static final int LOG_LINES = 150;

  RealNodeInstall() {
    super("traceroll-rn", InstallPath.RESTRICTED, values());
  }

  private static String[] values() {
    String image;
    try {
      image = RealNode.image("OPERATOR");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new String[] {
      "image.repository=" + image.substring(0, image.lastIndexOf(':')),
      "image.tag=" + image.substring(image.lastIndexOf(':') + 1),
      "image.pullPolicy=Never",
      "nodeSelector.type=real",
      "tolerations[0].key=" + RealNode.TAINT,
      "tolerations[0].operator=Exists",
      "tolerations[0].effect=NoSchedule"
    };
  }

  @Override
  void setUp() throws Exception {
    RealNode.require(cluster.client);
    RealNode.importImages("operator", "agent", "shop", "jaeger", "toolbox", "traced-shop");
    super.setUp();
  }

  @Override
  boolean operatorRuns() {
    return namespace != null && RealNode.available(cluster.client, namespace, "traceroll-operator");
  }

  /** The operator pods' logs (the API server fetches them from the node's kubelet). */
  @Override
  String diagnostics() {
    StringBuilder out = new StringBuilder();
    if (namespace == null) {
      return "";
    }
    for (Pod pod : cluster.client.pods().inNamespace(namespace).list().getItems()) {
      out.append("----- log of operator pod ")
          .append(pod.getMetadata().getName())
          .append(" -----\n");
      try {
        out.append(
            cluster
                .client
                .pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .tailingLines(LOG_LINES)
                .getLog());
      } catch (RuntimeException e) {
        out.append("(cannot read: ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }

  /** The labels of a namespace governed by the policy {@code policyNs/name}. */
  static Map<String, String> governedBy(String policyNs, String name) {
    return Map.of(
        Traceroll.INJECT_LABEL,
        Traceroll.INJECT_ENABLED,
        Traceroll.POLICY_LABEL,
        policyNs + "." + name);
  }
}
