package io.traceroll.policy;

import java.util.Set;

/**
 * Containers that are never instrumented: service-mesh proxies and common helper sidecars (such as
 * the Grafana chart's ConfigMap watcher, kiwigrid/k8s-sidecar).
 */
final class Sidecars {
  static final Set<String> NAMES =
      Set.of(
          "istio-proxy",
          "istio-init",
          "istio-validation",
          "linkerd-proxy",
          "linkerd-init",
          "linkerd-network-validator",
          "envoy",
          "envoy-sidecar",
          "consul-dataplane",
          "consul-connect-envoy-sidecar",
          "cloud-sql-proxy",
          "cloudsql-proxy",
          "vault-agent",
          "vault-agent-init",
          "otc-container",
          "jaeger-agent",
          "fluent-bit",
          "fluentd",
          "filebeat",
          "oauth2-proxy",
          "kube-rbac-proxy",
          "daprd");

  private Sidecars() {}

  static boolean isSidecar(PodView.ContainerView container) {
    return isSidecar(container.name(), container.image());
  }

  static boolean isSidecar(String containerName, String image) {
    if (NAMES.contains(containerName)) {
      return true;
    }
    return image != null
        && (image.contains("istio/proxyv2")
            || image.contains("linkerd/proxy")
            || image.contains("envoyproxy/envoy")
            || image.contains("kiwigrid/k8s-sidecar"));
  }
}
