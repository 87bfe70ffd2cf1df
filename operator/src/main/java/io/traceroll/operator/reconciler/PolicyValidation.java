package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
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

  /** Longest policy name whose children ("-tempo-config") are still valid names. */
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
    if (backend.getTempo() != null) {
      if (name.length() > MAX_NAME_LENGTH || !DNS_LABEL.matcher(name).matches()) {
        return Optional.of(
            new Problem(
                REASON_INVALID_NAME,
                "a policy with a tempo backend needs a name of at most "
                    + MAX_NAME_LENGTH
                    + " lower-case letters, digits and '-', starting with a letter: its Service"
                    + " is named after it"));
      }
      return checkCredentials(backend.getTempo(), policy.getMetadata().getNamespace(), client);
    }
    return Optional.empty();
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
