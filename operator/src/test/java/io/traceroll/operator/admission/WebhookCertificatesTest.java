package io.traceroll.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookCertificatesTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  WebhookCertificates at(Instant now) {
    return new WebhookCertificates(
        client,
        "ops",
        "traceroll-webhook-tls",
        WebhookCertificates.serviceNames("traceroll-webhook", "ops"),
        List.of("127.0.0.1"),
        Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void issuesAServingCertificateForTheServiceNamesSignedByItsCa() throws Exception {
    Secret secret = at(Instant.now()).ensure();

    X509Certificate ca = CertificateAuthority.readCertificate(decode(secret, "ca.crt"));
    X509Certificate serving = CertificateAuthority.readCertificate(decode(secret, "tls.crt"));
    serving.verify(ca.getPublicKey());
    assertThat(serving.getSubjectAlternativeNames())
        .extracting(san -> String.valueOf(san.get(1)))
        .contains(
            "traceroll-webhook.ops.svc", "traceroll-webhook.ops.svc.cluster.local", "127.0.0.1");
    ReloadingKeyManager keys = new ReloadingKeyManager();
    assertThat(WebhookCertificates.load(secret, keys)).contains("BEGIN CERTIFICATE");
    assertThat(keys.certificate()).isEqualTo(serving);
  }

  @Test
  void keepsAValidCertificateAndRotatesOneCloseToExpiryUnderTheSameCa() {
    Instant now = Instant.now();
    Secret first = at(now).ensure();
    Secret again = at(now.plus(Duration.ofDays(10))).ensure();
    assertThat(decode(again, "tls.crt")).isEqualTo(decode(first, "tls.crt"));

    Secret rotated = at(now.plus(Duration.ofDays(70))).ensure();
    assertThat(decode(rotated, "tls.crt")).isNotEqualTo(decode(first, "tls.crt"));
    assertThat(decode(rotated, "ca.crt")).isEqualTo(decode(first, "ca.crt"));
  }

  @Test
  void reissuesWhenTheSecretIsGarbage() {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("traceroll-webhook-tls")
                .withNamespace("ops")
                .endMetadata()
                .addToData("tls.crt", Base64.getEncoder().encodeToString("junk".getBytes()))
                .build())
        .create();

    Secret secret = at(Instant.now()).ensure();

    assertThat(decode(secret, "tls.crt")).contains("BEGIN CERTIFICATE");
  }

  /**
   * cert-manager writes tls.crt as the serving certificate followed by its intermediates and ca.crt
   * as the root, which is all its CA injector puts into the webhook configuration: the handshake
   * must carry the intermediates or the API server cannot verify us.
   */
  @Test
  void servesTheIntermediatesThatFollowTheCertificateInTlsCrt() throws Exception {
    CertificateAuthority.Issued root = CertificateAuthority.newCa("root", Duration.ofDays(3650));
    CertificateAuthority.Issued intermediate = intermediate(root);
    CertificateAuthority.Issued serving =
        CertificateAuthority.issueServing(
            intermediate, List.of("traceroll-webhook.ops.svc"), List.of(), Duration.ofDays(90));
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("traceroll-webhook-tls")
            .endMetadata()
            .addToData("tls.crt", encode(serving.certificatePem() + intermediate.certificatePem()))
            .addToData("tls.key", encode(serving.keyPem()))
            .addToData("ca.crt", encode(root.certificatePem()))
            .build();
    ReloadingKeyManager keys = new ReloadingKeyManager();

    assertThat(WebhookCertificates.load(secret, keys)).isEqualTo(root.certificatePem());

    X509Certificate[] chain = keys.getCertificateChain("webhook");
    assertThat(chain).containsExactly(serving.certificate(), intermediate.certificate());
    assertThat(keys.certificate()).isEqualTo(serving.certificate());
    // What a client that trusts only ca.crt checks.
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", root.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    ((X509TrustManager) tmf.getTrustManagers()[0]).checkServerTrusted(chain, "ECDHE_ECDSA");
  }

  /** A CA signed by {@code root}, as an intermediate CA Issuer's certificate would be. */
  static CertificateAuthority.Issued intermediate(CertificateAuthority.Issued root)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keyPair = generator.generateKeyPair();
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            root.certificate(),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minusSeconds(300)),
            Date.from(now.plus(Duration.ofDays(365))),
            new X500Name("CN=intermediate"),
            keyPair.getPublic());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(
        Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keyPair.getPublic()));
    builder.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        ext.createAuthorityKeyIdentifier(root.certificate()));
    X509Certificate cert =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(root.key())));
    return new CertificateAuthority.Issued(cert, keyPair.getPrivate());
  }

  static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String decode(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
