package io.traceroll.e2e;

import static io.traceroll.e2e.CertManagerInstall.CERTIFICATE;
import static io.traceroll.e2e.TestCluster.annotations;
import static io.traceroll.e2e.TlsProbe.certificatesOfBase64;
import static io.traceroll.e2e.TlsProbe.decode;
import static io.traceroll.e2e.TlsProbe.handshake;
import static io.traceroll.e2e.TlsProbe.trusting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.webhook.tls.CertificateAuthority;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The webhook's certificate mode {@code cert-manager} against a real cert-manager (controller and
 * CA injector built from Go modules, run as processes): the chart installed with
 * webhook.certMode=cert-manager gets its serving certificate from cert-manager's CA chain, the CA
 * injector writes the CA into the webhooks the operator adds to the (empty) configuration later,
 * and the operator, run with the chart's ServiceAccount, serves what cert-manager issued: to a
 * client that trusts only the injected CA and verifies the Service's name, and to the real API
 * server. Re-issued certificates (renewal, a deleted Secret, an intermediate CA) are served without
 * a restart ({@link CertManagerReissue}), and deleting a policy removes its webhook although the CA
 * injector co-owns it.
 *
 * <p>Out of cluster the API server calls the webhook by URL on 127.0.0.1, which the chart's
 * certificate (it names the Service) does not cover; one test adds the address to the Certificate,
 * as a user would add a name, and shows the API server's calls failing open before and succeeding
 * after.
 */
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class CertManagerE2eTest {
  static final String POLICY = "to-collector";

  @RegisterExtension static final CertManagerInstall certManager = new CertManagerInstall();

  /** The webhook configuration as the chart installed it, before the operator ran. */
  static MutatingWebhookConfiguration asInstalled;

  /** The namespace of the first policy, whose webhook the CA injector writes the CA into. */
  static String policyNs;

  @BeforeAll
  static void recordTheWebhookConfigurationAsInstalled() {
    asInstalled = certManager.cluster.webhookConfiguration();
  }

  @Nested
  @Order(1)
  class Issue {
    @Test
    void certManagerIssuesTheServingCertificateTheChartAsksFor() throws Exception {
      Secret secret = certManager.awaitIssuedSecret();
      List<X509Certificate> chain = certificatesOfBase64(secret.getData().get("tls.crt"));
      X509Certificate ca = certificatesOfBase64(secret.getData().get("ca.crt")).get(0);
      X509Certificate serving = chain.get(0);

      assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
      // The chart's chain: a self-signed root (Certificate traceroll-webhook-ca) signs the serving
      // certificate directly.
      assertThat(chain).hasSize(1);
      ca.verify(ca.getPublicKey());
      assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=traceroll-webhook-ca");
      assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
      serving.verify(ca.getPublicKey());
      serving.checkValidity();
      assertThat(serving.getBasicConstraints()).isEqualTo(-1);
      assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // server auth
      assertThat(sans(serving))
          .containsExactlyInAnyOrder(
              "traceroll-webhook." + certManager.namespace + ".svc",
              "traceroll-webhook." + certManager.namespace + ".svc.cluster.local");
      PrivateKey key = CertificateAuthority.readKey(decode(secret.getData().get("tls.key")));
      assertThat(matches(key, serving)).as("tls.key belongs to tls.crt").isTrue();
      assertThat(CertManagerInstall.readyCondition(certManager.certificate(CERTIFICATE).get()))
          .isEqualTo("True");
    }
  }

  @Nested
  @Order(2)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class Inject {
    @Test
    @Order(1)
    void theCaInjectorWritesTheCaIntoWebhooksTheOperatorAddsLater() throws Exception {
      // The chart creates the configuration empty; the operator adds the injection annotation and
      // its webhooks later, by server-side apply.
      assertThat(asInstalled.getWebhooks()).isEmpty();
      assertThat(annotations(asInstalled)).doesNotContainKey("cert-manager.io/inject-ca-from");

      certManager.startOperator(
          Map.of(
              "TRACEROLL_WEBHOOK_CERT_MODE",
              "cert-manager",
              "TRACEROLL_WEBHOOK_TIMEOUT_SECONDS",
              "5"));
      policyNs = certManager.namespace("obs-cm", Map.of());
      createPolicy(policyNs);

      MutatingWebhook hook = awaitInjectedWebhook(policyNs);
      MutatingWebhookConfiguration mwc = certManager.cluster.webhookConfiguration();
      assertThat(annotations(mwc))
          .containsEntry(
              "cert-manager.io/inject-ca-from", certManager.namespace + "/" + CERTIFICATE);
      assertThat(hook.getClientConfig().getUrl()).isEqualTo(certManager.operator.webhookUrl());
      assertThat(decode(hook.getClientConfig().getCaBundle()))
          .isEqualTo(decode(certManager.secret().getData().get("ca.crt")));
      // The operator applies no caBundle in this mode: the CA injector's apply owns it.
      assertThat(ownersOfCaBundle(mwc)).containsExactly("cert-manager-cainjector");
    }

    @Test
    @Order(2)
    void theOperatorServesTheIssuedCertificateToAClientThatTrustsOnlyTheInjectedCa()
        throws Exception {
      X509Certificate issued = issued().get(0);
      KeyStore injected = trusting(injectedCa(policyNs));

      X509Certificate[] verified = handshake(injected, serviceName(), webhookPort());

      assertThat(verified[0]).isEqualTo(issued);
      // The client really checks: the certificate names the Service, not the address it listens
      // on, and a client that trusts another CA refuses it.
      assertThatThrownBy(() -> handshake(injected, "127.0.0.1", webhookPort()))
          .isInstanceOf(SSLHandshakeException.class);
      KeyStore other =
          trusting(CertificateAuthority.newCa("other", Duration.ofDays(1)).certificatePem());
      assertThatThrownBy(() -> handshake(other, serviceName(), webhookPort()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Nested
  @Order(3)
  class Reissue extends CertManagerReissue {}

  @Nested
  @Order(4)
  class Delete {
    @Test
    void deletingAPolicyRemovesItsWebhookThoughTheCaInjectorCoOwnsIt() throws Exception {
      String second = certManager.namespace("obs2-cm", Map.of());
      createPolicy(second);
      awaitInjectedWebhook(second);

      certManager.cluster.deletePolicy(policyNs, POLICY);
      await()
          .atMost(TestCluster.timeout())
          .untilAsserted(
              () ->
                  assertThat(certManager.cluster.webhookConfiguration().getWebhooks())
                      .extracting(MutatingWebhook::getName)
                      .containsExactly(webhookName(second)));
      // The configuration still takes changes: a new policy's webhook is registered and injected.
      String third = certManager.namespace("obs3-cm", Map.of());
      createPolicy(third);
      awaitInjectedWebhook(third);
      assertThat(certManager.cluster.webhookConfiguration().getWebhooks())
          .extracting(MutatingWebhook::getName)
          .containsExactlyInAnyOrder(webhookName(second), webhookName(third));
      certManager.cluster.awaitInjects(certManager.namespace("shop3-cm", selectedBy(third)));
    }
  }

  // ---- policies and their webhooks

  static void createPolicy(String ns) throws Exception {
    certManager.client().resource(TestCluster.sample("tracingpolicy-otlp.yaml", ns)).create();
  }

  /** Labels of a namespace whose pods the policy in {@code policyNamespace} instruments. */
  static Map<String, String> selectedBy(String policyNamespace) {
    return Map.of(
        Traceroll.INJECT_LABEL,
        Traceroll.INJECT_ENABLED,
        Traceroll.POLICY_LABEL,
        policyNamespace + "." + POLICY);
  }

  static String webhookName(String ns) {
    return POLICY + "." + ns + ".pods.traceroll.io";
  }

  /** Waits until the policy's webhook is registered and carries a CA bundle. */
  static MutatingWebhook awaitInjectedWebhook(String ns) {
    await()
        .atMost(TestCluster.timeout())
        .until(() -> webhook(ns) != null && webhook(ns).getClientConfig().getCaBundle() != null);
    return webhook(ns);
  }

  static MutatingWebhook webhook(String ns) {
    MutatingWebhookConfiguration mwc = certManager.cluster.webhookConfiguration();
    return mwc == null
        ? null
        : mwc.getWebhooks().stream()
            .filter(w -> w.getName().equals(webhookName(ns)))
            .findFirst()
            .orElse(null);
  }

  /** The CA bundle in the policy's webhook, as PEM. */
  static String injectedCa(String ns) {
    MutatingWebhook hook = webhook(ns);
    assertThat(hook).as("webhook of the policy in " + ns).isNotNull();
    return decode(hook.getClientConfig().getCaBundle());
  }

  /** Field managers that own the caBundle of any webhook in the configuration. */
  private static List<String> ownersOfCaBundle(MutatingWebhookConfiguration mwc) {
    return mwc.getMetadata().getManagedFields().stream()
        .filter(f -> Serialization.asJson(f.getFieldsV1()).contains("\"f:caBundle\""))
        .map(ManagedFieldsEntry::getManager)
        .distinct()
        .toList();
  }

  // ---- what the operator serves

  /** The chain in the issued Secret's tls.crt. */
  static List<X509Certificate> issued() {
    return certificatesOfBase64(certManager.secret().getData().get("tls.crt"));
  }

  static String serviceName() {
    return "traceroll-webhook." + certManager.namespace + ".svc";
  }

  static int webhookPort() {
    return certManager.operator.ports().webhook();
  }

  /** Waits until the served certificate matches, without restarting anything. */
  static X509Certificate awaitServed(Predicate<X509Certificate> wanted) throws Exception {
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(250))
        .until(() -> wanted.test(TlsProbe.served(webhookPort())));
    return TlsProbe.served(webhookPort());
  }

  static List<String> sans(X509Certificate certificate) {
    try {
      var names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : names.stream().map(n -> String.valueOf(n.get(1))).toList();
    } catch (CertificateException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean matches(PrivateKey key, X509Certificate certificate) throws Exception {
    byte[] data = "traceroll".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(data);
    return verifier.verify(signature);
  }
}
