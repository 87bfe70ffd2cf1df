package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.traceroll.api.Traceroll;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's serving certificate in self-managed mode: a CA and a serving certificate kept in a
 * Secret, issued by the leader and rotated well before expiry; every replica loads the Secret into
 * its {@link ReloadingKeyManager}.
 */
public final class WebhookCertificates {
  public static final String CA_KEY = "ca.crt";
  public static final String CA_PRIVATE_KEY = "ca.key";
  public static final String CERT_KEY = "tls.crt";
  public static final String PRIVATE_KEY = "tls.key";

  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration SERVING_VALIDITY = Duration.ofDays(90);

  /** Re-issue when less than this is left, so every replica reloads long before expiry. */
  static final Duration ROTATE_BEFORE = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(WebhookCertificates.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String secretName;
  private final List<String> dnsNames;
  private final List<String> ipAddresses;
  private final Clock clock;

  public WebhookCertificates(
      KubernetesClient client,
      String namespace,
      String secretName,
      List<String> dnsNames,
      List<String> ipAddresses,
      Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.secretName = secretName;
    this.dnsNames = List.copyOf(dnsNames);
    this.ipAddresses = List.copyOf(ipAddresses);
    this.clock = clock;
  }

  /** DNS names of the webhook Service, as the API server addresses it. */
  public static List<String> serviceNames(String service, String namespace) {
    return List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc.cluster.local");
  }

  /**
   * Makes sure the Secret holds a serving certificate valid for at least {@link #ROTATE_BEFORE} for
   * our names; returns the Secret as stored. Leader only.
   */
  public Secret ensure() {
    Secret current = client.secrets().inNamespace(namespace).withName(secretName).get();
    if (current != null && !needsRotation(current)) {
      return current;
    }
    CertificateAuthority.Issued ca =
        reusableCa(current)
            .orElseGet(() -> CertificateAuthority.newCa("traceroll-webhook-ca", CA_VALIDITY));
    CertificateAuthority.Issued serving =
        CertificateAuthority.issueServing(ca, dnsNames, ipAddresses, SERVING_VALIDITY);
    Map<String, String> data = new HashMap<>();
    data.put(CA_KEY, encode(ca.certificatePem()));
    data.put(CA_PRIVATE_KEY, encode(ca.keyPem()));
    data.put(CERT_KEY, encode(serving.certificatePem()));
    data.put(PRIVATE_KEY, encode(serving.keyPem()));
    Secret desired =
        new SecretBuilder()
            .withNewMetadata()
            .withName(secretName)
            .withNamespace(namespace)
            .addToLabels(Traceroll.MANAGED_BY_LABEL, Traceroll.MANAGED_BY)
            .withResourceVersion(
                current == null ? null : current.getMetadata().getResourceVersion())
            .endMetadata()
            .withType("kubernetes.io/tls")
            .withData(data)
            .build();
    try {
      Secret stored =
          current == null ? client.resource(desired).create() : client.resource(desired).update();
      LOG.info(
          "issued webhook serving certificate for {} valid until {}",
          dnsNames.isEmpty() ? ipAddresses : dnsNames,
          serving.certificate().getNotAfter().toInstant());
      return stored;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Another replica wrote it first; theirs is as good as ours.
        return client.secrets().inNamespace(namespace).withName(secretName).get();
      }
      throw e;
    }
  }

  /**
   * Loads a Secret's serving certificate, with the intermediates that follow it in tls.crt, into
   * the key manager; returns its CA bundle. A client that trusts only ca.crt (the API server with
   * the caBundle cert-manager injects) needs those intermediates in the handshake.
   */
  public static String load(Secret secret, ReloadingKeyManager keys) {
    Map<String, String> data = secret.getData();
    String cert = decode(data.get(CERT_KEY));
    String key = decode(data.get(PRIVATE_KEY));
    String ca = data.containsKey(CA_KEY) ? decode(data.get(CA_KEY)) : null;
    keys.load(
        CertificateAuthority.readCertificates(cert).toArray(X509Certificate[]::new),
        CertificateAuthority.readKey(key));
    return ca;
  }

  boolean needsRotation(Secret secret) {
    try {
      Map<String, String> data = secret.getData();
      if (data == null || !data.containsKey(CERT_KEY) || !data.containsKey(PRIVATE_KEY)) {
        return true;
      }
      X509Certificate cert = CertificateAuthority.readCertificate(decode(data.get(CERT_KEY)));
      Instant expiry = cert.getNotAfter().toInstant();
      return expiry.minus(ROTATE_BEFORE).isBefore(clock.instant())
          || !coversOurNames(cert.getSubjectAlternativeNames());
    } catch (RuntimeException | CertificateParsingException e) {
      LOG.warn(
          "webhook certificate Secret {}/{} unusable, re-issuing: {}",
          namespace,
          secretName,
          e.getMessage());
      return true;
    }
  }

  private boolean coversOurNames(Collection<List<?>> sans) {
    List<String> present = new ArrayList<>();
    if (sans != null) {
      sans.forEach(san -> present.add(String.valueOf(san.get(1))));
    }
    return present.containsAll(dnsNames) && present.containsAll(ipAddresses);
  }

  private Optional<CertificateAuthority.Issued> reusableCa(Secret current) {
    if (current == null || current.getData() == null) {
      return Optional.empty();
    }
    try {
      X509Certificate ca =
          CertificateAuthority.readCertificate(decode(current.getData().get(CA_KEY)));
      if (ca.getNotAfter().toInstant().isBefore(clock.instant().plus(SERVING_VALIDITY))) {
        return Optional.empty();
      }
      return Optional.of(
          new CertificateAuthority.Issued(
              ca, CertificateAuthority.readKey(decode(current.getData().get(CA_PRIVATE_KEY)))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String encode(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    if (base64 == null) {
      throw new IllegalArgumentException("missing key in Secret");
    }
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
