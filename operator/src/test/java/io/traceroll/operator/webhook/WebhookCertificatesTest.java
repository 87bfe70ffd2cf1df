package io.traceroll.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
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
            new io.fabric8.kubernetes.api.model.SecretBuilder()
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

  static String decode(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
