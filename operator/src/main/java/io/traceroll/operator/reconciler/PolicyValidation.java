package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.v1alpha1.BasicAuthSecret;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayConfigMapDependent;
import io.traceroll.operator.gateway.GatewayConfigRenderer;
import io.traceroll.operator.gateway.GatewayHeaders;
import io.traceroll.operator.gateway.GatewayHeadersSecretDependent;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks what the CRD schema cannot: references to other objects and name limits. A problem leaves
 * every child object as it is and is reported as Ready=False.
 */
public final class PolicyValidation {
  public static final String REASON_NO_BACKEND = "NoBackend";
  public static final String REASON_INVALID_NAME = "InvalidName";
  public static final String REASON_SECRET_NOT_FOUND = "CredentialsSecretNotFound";
  public static final String REASON_SECRET_KEY_MISSING = "CredentialsKeyMissing";
  public static final String REASON_HEADERS_SECRET_NOT_FOUND = "HeadersSecretNotFound";
  public static final String REASON_HEADERS_INVALID = "HeadersInvalid";

  /** Longest policy name whose children ("-tempo-config", "-gateway") are still valid names. */
  static final int MAX_NAME_LENGTH = 50;

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private PolicyValidation() {}

  public static Optional<Problem> check(TracingPolicy policy, KubernetesClient client) {
    var backend = policy.getSpec().getBackend();
    if (backend == null || (backend.getTempo() == null) == (backend.getOtlpEndpoint() == null)) {
      return Optional.of(
          new Problem(
              REASON_NO_BACKEND,
              "exactly one of backend.tempo or backend.otlpEndpoint must be set"));
    }
    String name = policy.getMetadata().getName();
    boolean gateway = GatewayConfigMapDependent.requested(policy);
    if ((backend.getTempo() != null || gateway)
        && (name.length() > MAX_NAME_LENGTH || !DNS_LABEL.matcher(name).matches())) {
      return Optional.of(
          new Problem(
              REASON_INVALID_NAME,
              "a policy with a tempo backend or a tail-sampling gateway needs a name of at most "
                  + MAX_NAME_LENGTH
                  + " lower-case letters, digits and '-', starting with a letter: their Services"
                  + " are named after it"));
    }
    if (gateway && GatewayConfigRenderer.sendsHeaders(policy)) {
      Optional<Problem> headers =
          checkHeaders(
              backend.getOtlpEndpoint().getHeadersSecretName(),
              policy.getMetadata().getNamespace(),
              client);
      if (headers.isPresent()) {
        return headers;
      }
    }
    if (backend.getTempo() != null) {
      return checkCredentials(backend.getTempo(), policy.getMetadata().getNamespace(), client)
          .or(
              () ->
                  checkRemoteWriteAuth(
                      backend.getTempo(), policy.getMetadata().getNamespace(), client));
    }
    return Optional.empty();
  }

  /** Tempo mounts the remote-write credentials; a missing Secret or key would keep it pending. */
  private static Optional<Problem> checkRemoteWriteAuth(
      TempoBackend tempo, String namespace, KubernetesClient client) {
    if (tempo.getMetricsGenerator() == null
        || tempo.getMetricsGenerator().getBasicAuthSecret() == null) {
      return Optional.empty();
    }
    BasicAuthSecret ref = tempo.getMetricsGenerator().getBasicAuthSecret();
    String where =
        "Secret " + namespace + "/" + ref.getName() + " named in metricsGenerator.basicAuthSecret";
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null) {
      return Optional.of(new Problem(REASON_SECRET_NOT_FOUND, where + " does not exist"));
    }
    for (String key : new String[] {ref.getUsernameKey(), ref.getPasswordKey()}) {
      if (!hasKey(secret.getData(), key) && !hasKey(secret.getStringData(), key)) {
        return Optional.of(new Problem(REASON_SECRET_KEY_MISSING, where + " has no key " + key));
      }
    }
    return Optional.empty();
  }

  /** The gateway sends the backend's headers itself, so their Secret must be in its namespace. */
  private static Optional<Problem> checkHeaders(
      String secretName, String namespace, KubernetesClient client) {
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    String where =
        "Secret " + namespace + "/" + secretName + " named in otlpEndpoint.headersSecretName";
    if (secret == null) {
      return Optional.of(
          new Problem(
              REASON_HEADERS_SECRET_NOT_FOUND,
              where
                  + " does not exist; the tail-sampling gateway reads it in the policy's namespace"));
    }
    String raw = GatewayHeadersSecretDependent.value(secret, GatewayHeaders.SOURCE_KEY);
    if (raw == null) {
      return Optional.of(
          new Problem(REASON_HEADERS_INVALID, where + " has no key " + GatewayHeaders.SOURCE_KEY));
    }
    try {
      GatewayHeaders.parse(raw);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(
          new Problem(
              REASON_HEADERS_INVALID,
              where
                  + ": key "
                  + GatewayHeaders.SOURCE_KEY
                  + " is not k1=v1,k2=v2: "
                  + e.getMessage()));
    }
  }

  private static Optional<Problem> checkCredentials(
      TempoBackend tempo, String namespace, KubernetesClient client) {
    if (tempo.getStorage().getType() != StorageType.S3) {
      return Optional.empty();
    }
    S3Storage s3 = tempo.getStorage().getS3();
    if (s3 == null || s3.getCredentialsSecret() == null) {
      return Optional.of(
          new Problem(REASON_SECRET_NOT_FOUND, "storage.s3.credentialsSecret must be set for s3"));
    }
    SecretKeys ref = s3.getCredentialsSecret();
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null) {
      return Optional.of(
          new Problem(
              REASON_SECRET_NOT_FOUND,
              "Secret "
                  + namespace
                  + "/"
                  + ref.getName()
                  + " named in storage.s3.credentialsSecret"
                  + " does not exist"));
    }
    for (String key : new String[] {ref.getAccessKeyIdKey(), ref.getSecretAccessKeyKey()}) {
      if (!hasKey(secret.getData(), key) && !hasKey(secret.getStringData(), key)) {
        return Optional.of(
            new Problem(
                REASON_SECRET_KEY_MISSING,
                "Secret " + namespace + "/" + ref.getName() + " has no key " + key));
      }
    }
    return Optional.empty();
  }

  private static boolean hasKey(Map<String, String> data, String key) {
    return data != null && data.containsKey(key);
  }
}
