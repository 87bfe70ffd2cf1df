package io.traceroll.operator.admission;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How the admission webhook is served and registered, from environment variables.
 *
 * @param enabled TRACEROLL_WEBHOOK_ENABLED (default true)
 * @param port TRACEROLL_WEBHOOK_PORT: HTTPS port of /mutate (default 9443)
 * @param bindAddress TRACEROLL_WEBHOOK_BIND (default 0.0.0.0)
 * @param url TRACEROLL_WEBHOOK_URL: register the webhook by URL (an operator outside the cluster,
 *     e.g. https://127.0.0.1:9443/mutate); unset registers the Service
 * @param serviceName TRACEROLL_WEBHOOK_SERVICE: the Service in the operator's namespace that fronts
 *     the webhook on port 443 (default traceroll-webhook)
 * @param certMode TRACEROLL_WEBHOOK_CERT_MODE: self (the operator runs a CA), cert-manager (a
 *     Certificate writes the Secret and cert-manager injects the CA) or olm (OLM mounts the
 *     certificate and registers the webhook)
 * @param secretName TRACEROLL_WEBHOOK_SECRET: Secret holding tls.crt, tls.key, ca.crt
 * @param certDir TRACEROLL_WEBHOOK_CERT_DIR: where OLM mounts tls.crt and tls.key
 * @param timeoutSeconds TRACEROLL_WEBHOOK_TIMEOUT_SECONDS: the API server's call timeout (1-5)
 */
public record WebhookConfig(
    boolean enabled,
    int port,
    String bindAddress,
    URI url,
    String serviceName,
    CertMode certMode,
    String secretName,
    Path certDir,
    int timeoutSeconds) {

  public static final String CONFIGURATION_NAME = "traceroll-webhook";

  /** Who provides the webhook's serving certificate. */
  public enum CertMode {
    SELF,
    CERT_MANAGER,
    OLM
  }

  /**
   * TRACEROLL_WEBHOOK_PORT is also the name of the variable Kubernetes gives every pod of a
   * namespace holding a Service named traceroll-webhook ({@code tcp://10.0.0.70:443}) unless the
   * pod sets enableServiceLinks: false, as the install paths do; say so rather than fail on a
   * number.
   */
  private static int port(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "TRACEROLL_WEBHOOK_PORT="
              + value
              + " is not a port number"
              + (value.startsWith("tcp://")
                  ? ": Kubernetes set it for the Service traceroll-webhook; give the operator's pod"
                      + " enableServiceLinks: false"
                  : ""),
          e);
    }
  }

  public static WebhookConfig fromEnvironment(Map<String, String> env) {
    String url = env.get("TRACEROLL_WEBHOOK_URL");
    int timeout = Integer.parseInt(env.getOrDefault("TRACEROLL_WEBHOOK_TIMEOUT_SECONDS", "3"));
    if (timeout < 1 || timeout > 5) {
      throw new IllegalArgumentException("TRACEROLL_WEBHOOK_TIMEOUT_SECONDS must be 1 to 5");
    }
    return new WebhookConfig(
        Boolean.parseBoolean(env.getOrDefault("TRACEROLL_WEBHOOK_ENABLED", "true")),
        port(env.getOrDefault("TRACEROLL_WEBHOOK_PORT", "9443")),
        env.getOrDefault("TRACEROLL_WEBHOOK_BIND", "0.0.0.0"),
        url == null || url.isBlank() ? null : URI.create(url),
        env.getOrDefault("TRACEROLL_WEBHOOK_SERVICE", "traceroll-webhook"),
        CertMode.valueOf(
            env.getOrDefault("TRACEROLL_WEBHOOK_CERT_MODE", "self")
                .toUpperCase(Locale.ROOT)
                .replace('-', '_')),
        env.getOrDefault("TRACEROLL_WEBHOOK_SECRET", "traceroll-webhook-tls"),
        Path.of(
            env.getOrDefault(
                "TRACEROLL_WEBHOOK_CERT_DIR", "/tmp/k8s-webhook-server/serving-certs")),
        timeout);
  }
}
