package io.traceroll.e2e;

import static io.traceroll.e2e.CertManagerE2eTest.awaitServed;
import static io.traceroll.e2e.CertManagerE2eTest.injectedCa;
import static io.traceroll.e2e.CertManagerE2eTest.issued;
import static io.traceroll.e2e.CertManagerE2eTest.policyNs;
import static io.traceroll.e2e.CertManagerE2eTest.sans;
import static io.traceroll.e2e.CertManagerE2eTest.selectedBy;
import static io.traceroll.e2e.CertManagerE2eTest.serviceName;
import static io.traceroll.e2e.CertManagerE2eTest.webhookPort;
import static io.traceroll.e2e.CertManagerInstall.CERTIFICATE;
import static io.traceroll.e2e.TestCluster.annotations;
import static io.traceroll.e2e.TlsProbe.certificatesOfBase64;
import static io.traceroll.e2e.TlsProbe.decode;
import static io.traceroll.e2e.TlsProbe.handshake;
import static io.traceroll.e2e.TlsProbe.trusting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.webhook.tls.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A theme of {@link CertManagerE2eTest}, run as its {@code @Nested} class once the operator serves
 * what cert-manager issued: every certificate cert-manager issues again (for a new address, on
 * renewal, for a deleted Secret, from an intermediate CA) is served without a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class CertManagerReissue {
  @Test
  @Order(1)
  void theApiServerCallsTheWebhookOnceTheCertificateAlsoNamesTheUrlsAddress(
      CertManagerInstall certManager) throws Exception {
    String shop = certManager.namespace("shop-cm", selectedBy(policyNs));
    // By URL on 127.0.0.1 the API server cannot verify a certificate for the Service's names: the
    // call fails and the pod is admitted without the agent (failurePolicy Ignore).
    assertThat(annotations(certManager.cluster.dryRunPod(shop)))
        .doesNotContainKey(Traceroll.INJECTED_ANNOTATION);

    long pid = certManager.operator.pid();
    BigInteger before = TlsProbe.served(webhookPort()).getSerialNumber();
    certManager
        .certificate(CERTIFICATE)
        .patch(InstallPath.MERGE, "{\"spec\":{\"ipAddresses\":[\"127.0.0.1\"]}}");
    X509Certificate reissued =
        awaitServed(c -> !c.getSerialNumber().equals(before) && sans(c).contains("127.0.0.1"));
    assertThat(reissued).isEqualTo(issued().get(0));
    assertThat(certManager.operator.pid()).isEqualTo(pid);
    assertThat(certManager.operator.isAlive()).isTrue();

    certManager.cluster.awaitInjects(shop);
    certManager.assertOperatorWasRefusedNothing();
  }

  @Test
  @Order(2)
  void reissuedCertificatesAreServedWithoutARestart(CertManagerInstall certManager)
      throws Exception {
    long pid = certManager.operator.pid();
    String shop = certManager.namespace("renew-cm", selectedBy(policyNs));

    // Renewal as cmctl renew requests it: the Issuing condition on the Certificate's status.
    X509Certificate first = TlsProbe.served(webhookPort());
    long revision = certManager.revision();
    certManager
        .certificate(CERTIFICATE)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            """
            [{"op": "add", "path": "/status/conditions/-", "value": {"type": "Issuing",
              "status": "True", "reason": "ManuallyTriggered", "message": "e2e renewal",
              "lastTransitionTime": "%s"}}]
            """
                .formatted(Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    X509Certificate renewed =
        awaitServed(c -> !c.getSerialNumber().equals(first.getSerialNumber()));
    assertThat(renewed).isEqualTo(issued().get(0));
    assertThat(renewed.getPublicKey())
        .as("rotationPolicy Always")
        .isNotEqualTo(first.getPublicKey());
    await().atMost(TestCluster.timeout()).until(() -> certManager.revision() > revision);

    // A deleted Secret is issued again.
    certManager
        .client()
        .secrets()
        .inNamespace(certManager.namespace)
        .withName(CERTIFICATE)
        .delete();
    X509Certificate again =
        awaitServed(c -> !c.getSerialNumber().equals(renewed.getSerialNumber()));
    assertThat(again)
        .isEqualTo(
            certificatesOfBase64(certManager.awaitIssuedSecret().getData().get("tls.crt")).get(0));

    assertThat(certManager.operator.pid()).isEqualTo(pid);
    assertThat(handshake(trusting(injectedCa(policyNs)), "127.0.0.1", webhookPort())[0])
        .isEqualTo(again);
    certManager.cluster.awaitInjects(shop);
  }

  /**
   * A common set-up: the chart's issuerRef names a CA issuer whose CA is an intermediate. cert-
   * manager then writes the intermediate after the serving certificate in tls.crt and the root in
   * ca.crt, which is what the CA injector injects; the handshake must carry the intermediate.
   */
  @Test
  @Order(3)
  void theChainOfAnIntermediateCaIsServedWhole(CertManagerInstall certManager) throws Exception {
    String root = decode(certManager.secret().getData().get("ca.crt"));
    certManager
        .client()
        .load(
            new ByteArrayInputStream(
                """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: e2e-intermediate-ca, namespace: %1$s}
                spec:
                  isCA: true
                  commonName: e2e-intermediate-ca
                  secretName: e2e-intermediate-ca
                  privateKey: {algorithm: ECDSA, size: 256}
                  issuerRef: {name: traceroll-webhook-ca, kind: Issuer, group: cert-manager.io}
                ---
                apiVersion: cert-manager.io/v1
                kind: Issuer
                metadata: {name: e2e-intermediate-ca, namespace: %1$s}
                spec: {ca: {secretName: e2e-intermediate-ca}}
                """
                    .formatted(certManager.namespace)
                    .getBytes(StandardCharsets.UTF_8)))
        .inNamespace(certManager.namespace)
        .create();
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                "True"
                    .equals(
                        CertManagerInstall.readyCondition(
                            certManager.issuer("e2e-intermediate-ca").get())));

    certManager
        .certificate(CERTIFICATE)
        .patch(InstallPath.MERGE, "{\"spec\":{\"issuerRef\":{\"name\":\"e2e-intermediate-ca\"}}}");
    X509Certificate leaf =
        awaitServed(c -> c.getIssuerX500Principal().getName().equals("CN=e2e-intermediate-ca"));
    Secret secret = certManager.secret();
    List<X509Certificate> chain = certificatesOfBase64(secret.getData().get("tls.crt"));
    assertThat(chain).hasSize(2);
    assertThat(chain.get(0)).isEqualTo(leaf);
    assertThat(decode(secret.getData().get("ca.crt"))).isEqualTo(root);
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            // The injector may keep the CA it injected before beside the current one (seen when
            // cert-manager issued the self-signed CA twice at install): trust needs the root in.
            () ->
                assertThat(CertificateAuthority.readCertificates(injectedCa(policyNs)))
                    .contains(CertificateAuthority.readCertificate(root)));

    X509Certificate[] verified = handshake(trusting(root), serviceName(), webhookPort());
    assertThat(verified).containsExactly(chain.get(0), chain.get(1));
    certManager.cluster.awaitInjects(certManager.namespace("chain-cm", selectedBy(policyNs)));
  }
}
