package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.webhook.tls.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
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
 * a restart, and deleting a policy removes its webhook although the CA injector co-owns it.
 *
 * <p>Out of cluster the API server calls the webhook by URL on 127.0.0.1, which the chart's
 * certificate (it names the Service) does not cover; one test adds the address to the Certificate,
 * as a user would add a name, and shows the API server's calls failing open before and succeeding
 * after.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertManagerE2eTest {
  static final String RELEASE = "traceroll";
  static final String ACCOUNT = "traceroll-operator";
  static final String SECRET = "traceroll-webhook-tls";
  static final String CERTIFICATE = "traceroll-webhook-tls";
  static final String POLICY = "to-collector";
  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  static TestCluster cluster;
  static CertManager certManager;
  static OperatorProcess operator;
  static String namespace;
  static String policyNs;
  static MutatingWebhookConfiguration asInstalled;
  static final List<String> namespaces = new ArrayList<>();

  @RegisterExtension
  final FailureDiagnostics diagnostics =
      new FailureDiagnostics(
          () -> operator, () -> cluster, namespaces, CertManagerE2eTest::certManagerDiagnostics);

  @BeforeAll
  static void installInCertManagerMode() throws Exception {
    cluster = new TestCluster();
    HelmInstallE2eTest.uninstallLeftover(cluster);
    cluster.deleteWebhookConfiguration();
    certManager = CertManager.start(cluster);
    namespace = cluster.createNamespace("traceroll-cm", Map.of());
    namespaces.add(namespace);
    PinnedTool.HELM.succeed(
        "install",
        RELEASE,
        "../helm/traceroll",
        "-n",
        namespace,
        "--set",
        "webhook.certMode=cert-manager",
        "--wait",
        "--timeout",
        "120s");
    asInstalled = webhookConfiguration();
  }

  @Test
  @Order(1)
  void certManagerIssuesTheServingCertificateTheChartAsksFor() throws Exception {
    Secret secret = awaitIssuedSecret();
    List<X509Certificate> chain = certificates(secret, "tls.crt");
    X509Certificate ca = certificates(secret, "ca.crt").get(0);
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
            "traceroll-webhook." + namespace + ".svc",
            "traceroll-webhook." + namespace + ".svc.cluster.local");
    assertThat(matches(privateKey(secret), serving)).as("tls.key belongs to tls.crt").isTrue();
    assertThat(readyCondition(certificate(CERTIFICATE))).isEqualTo("True");
  }

  @Test
  @Order(2)
  void theCaInjectorWritesTheCaIntoWebhooksTheOperatorAddsLater() throws Exception {
    // The chart creates the configuration empty; the operator adds the injection annotation and
    // its webhooks later, by server-side apply.
    assertThat(asInstalled.getWebhooks()).isEmpty();
    assertThat(annotations(asInstalled)).doesNotContainKey("cert-manager.io/inject-ca-from");

    operator =
        OperatorProcess.start(
            namespace,
            Map.of(
                "KUBECONFIG",
                cluster.serviceAccountKubeconfig(namespace, ACCOUNT).toString(),
                "TRACEROLL_WEBHOOK_CERT_MODE",
                "cert-manager",
                "TRACEROLL_WEBHOOK_TIMEOUT_SECONDS",
                "5"));
    policyNs = namespace("obs-cm");
    createPolicy(policyNs);

    MutatingWebhook hook = awaitInjectedWebhook(policyNs);
    MutatingWebhookConfiguration mwc = webhookConfiguration();
    assertThat(annotations(mwc))
        .containsEntry("cert-manager.io/inject-ca-from", namespace + "/" + CERTIFICATE);
    assertThat(hook.getClientConfig().getUrl()).isEqualTo(operator.webhookUrl());
    assertThat(decode(hook.getClientConfig().getCaBundle()))
        .isEqualTo(decode(secret().getData().get("ca.crt")));
    // The operator applies no caBundle in this mode: the CA injector's apply owns it.
    assertThat(ownersOfCaBundle(mwc)).containsExactly("cert-manager-cainjector");
  }

  @Test
  @Order(3)
  void theOperatorServesTheIssuedCertificateToAClientThatTrustsOnlyTheInjectedCa()
      throws Exception {
    X509Certificate issued = certificates(secret(), "tls.crt").get(0);
    KeyStore injected = trusting(injectedCa(policyNs));

    X509Certificate[] verified =
        handshake(injected, "traceroll-webhook." + namespace + ".svc", operator.ports().webhook());

    assertThat(verified[0]).isEqualTo(issued);
    // The client really checks: the certificate names the Service, not the address it listens on,
    // and a client that trusts another CA refuses it.
    assertThatThrownBy(() -> handshake(injected, "127.0.0.1", operator.ports().webhook()))
        .isInstanceOf(SSLHandshakeException.class);
    KeyStore other =
        trusting(CertificateAuthority.newCa("other", Duration.ofDays(1)).certificatePem());
    assertThatThrownBy(
            () ->
                handshake(
                    other, "traceroll-webhook." + namespace + ".svc", operator.ports().webhook()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  @Order(4)
  void theApiServerCallsTheWebhookOnceTheCertificateAlsoNamesTheUrlsAddress() throws Exception {
    String shop = namespace("shop-cm", selectedBy(policyNs));
    // By URL on 127.0.0.1 the API server cannot verify a certificate for the Service's names: the
    // call fails and the pod is admitted without the agent (failurePolicy Ignore).
    assertThat(annotations(dryRunPod(shop))).doesNotContainKey(Traceroll.INJECTED_ANNOTATION);

    long pid = operator.pid();
    BigInteger before = served().getSerialNumber();
    certificateResource(CERTIFICATE).patch(MERGE, "{\"spec\":{\"ipAddresses\":[\"127.0.0.1\"]}}");
    X509Certificate reissued =
        awaitServed(c -> !c.getSerialNumber().equals(before) && sans(c).contains("127.0.0.1"));
    assertThat(reissued).isEqualTo(certificates(secret(), "tls.crt").get(0));
    assertThat(operator.pid()).isEqualTo(pid);
    assertThat(operator.isAlive()).isTrue();

    awaitInjected(shop);
    assertThat(operator.logs())
        .doesNotContainIgnoringCase("forbidden")
        .doesNotContainPattern("code=403\\b|\\b403 Forbidden");
  }

  @Test
  @Order(5)
  void reissuedCertificatesAreServedWithoutARestart() throws Exception {
    long pid = operator.pid();
    String shop = namespace("renew-cm", selectedBy(policyNs));

    // Renewal as cmctl renew requests it: the Issuing condition on the Certificate's status.
    X509Certificate first = served();
    long revision = revision();
    certificateResource(CERTIFICATE)
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
    assertThat(renewed).isEqualTo(certificates(secret(), "tls.crt").get(0));
    assertThat(renewed.getPublicKey())
        .as("rotationPolicy Always")
        .isNotEqualTo(first.getPublicKey());
    await().atMost(TestCluster.timeout()).until(() -> revision() > revision);

    // A deleted Secret is issued again.
    cluster.client.secrets().inNamespace(namespace).withName(SECRET).delete();
    X509Certificate again =
        awaitServed(c -> !c.getSerialNumber().equals(renewed.getSerialNumber()));
    assertThat(again).isEqualTo(certificates(awaitIssuedSecret(), "tls.crt").get(0));

    assertThat(operator.pid()).isEqualTo(pid);
    assertThat(
            handshake(trusting(injectedCa(policyNs)), "127.0.0.1", operator.ports().webhook())[0])
        .isEqualTo(again);
    awaitInjected(shop);
  }

  /**
   * A common set-up: the chart's issuerRef names a CA issuer whose CA is an intermediate. cert-
   * manager then writes the intermediate after the serving certificate in tls.crt and the root in
   * ca.crt, which is what the CA injector injects; the handshake must carry the intermediate.
   */
  @Test
  @Order(6)
  void theChainOfAnIntermediateCaIsServedWhole() throws Exception {
    String root = decode(secret().getData().get("ca.crt"));
    cluster
        .client
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
                    .formatted(namespace)
                    .getBytes(StandardCharsets.UTF_8)))
        .inNamespace(namespace)
        .create();
    await()
        .atMost(TestCluster.timeout())
        .until(() -> "True".equals(readyCondition(issuer("e2e-intermediate-ca"))));

    certificateResource(CERTIFICATE)
        .patch(MERGE, "{\"spec\":{\"issuerRef\":{\"name\":\"e2e-intermediate-ca\"}}}");
    X509Certificate leaf =
        awaitServed(c -> c.getIssuerX500Principal().getName().equals("CN=e2e-intermediate-ca"));
    Secret secret = secret();
    List<X509Certificate> chain = certificates(secret, "tls.crt");
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

    X509Certificate[] verified =
        handshake(
            trusting(root), "traceroll-webhook." + namespace + ".svc", operator.ports().webhook());
    assertThat(verified).containsExactly(chain.get(0), chain.get(1));
    awaitInjected(namespace("chain-cm", selectedBy(policyNs)));
  }

  @Test
  @Order(7)
  void deletingAPolicyRemovesItsWebhookThoughTheCaInjectorCoOwnsIt() throws Exception {
    String second = namespace("obs2-cm");
    createPolicy(second);
    awaitInjectedWebhook(second);

    cluster.client.resources(TracingPolicy.class).inNamespace(policyNs).withName(POLICY).delete();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(webhookConfiguration().getWebhooks())
                    .extracting(MutatingWebhook::getName)
                    .containsExactly(webhookName(second)));
    // The configuration still takes changes: a new policy's webhook is registered and injected.
    String third = namespace("obs3-cm");
    createPolicy(third);
    awaitInjectedWebhook(third);
    assertThat(webhookConfiguration().getWebhooks())
        .extracting(MutatingWebhook::getName)
        .containsExactlyInAnyOrder(webhookName(second), webhookName(third));
    awaitInjected(namespace("shop3-cm", selectedBy(third)));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      // Policies go while the operator runs, so it releases their finalizers.
      List<String> policyNamespaces =
          namespaces.stream().filter(n -> !n.equals(namespace)).toList();
      policyNamespaces.forEach(cluster::deleteNamespace);
      await()
          .atMost(TestCluster.timeout())
          .until(
              () ->
                  policyNamespaces.stream()
                      .allMatch(
                          ns ->
                              cluster
                                  .client
                                  .resources(TracingPolicy.class)
                                  .inNamespace(ns)
                                  .list()
                                  .getItems()
                                  .isEmpty()));
    } finally {
      try {
        if (operator != null) {
          operator.close();
        }
        if (namespace != null) {
          PinnedTool.HELM.run("uninstall", RELEASE, "-n", namespace, "--wait");
          cluster.deleteNamespace(namespace);
        }
        if (certManager != null) {
          certManager.close();
          certManager.deleteCrds(cluster);
        }
      } finally {
        cluster.client.close();
      }
    }
  }

  // --- cert-manager and the cluster

  private static Secret awaitIssuedSecret() {
    await()
        .atMost(TestCluster.timeout())
        .until(
            () -> {
              Secret s = cluster.client.secrets().inNamespace(namespace).withName(SECRET).get();
              return s != null
                  && s.getData() != null
                  && s.getData().keySet().containsAll(List.of("tls.crt", "tls.key", "ca.crt"));
            });
    return secret();
  }

  private static Secret secret() {
    return cluster.client.secrets().inNamespace(namespace).withName(SECRET).get();
  }

  private static Resource<GenericKubernetesResource> certificateResource(String name) {
    return cluster
        .client
        .genericKubernetesResources(CertManager.GROUP_VERSION, "Certificate")
        .inNamespace(namespace)
        .withName(name);
  }

  private static GenericKubernetesResource certificate(String name) {
    return certificateResource(name).get();
  }

  private static GenericKubernetesResource issuer(String name) {
    return cluster
        .client
        .genericKubernetesResources(CertManager.GROUP_VERSION, "Issuer")
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  private static long revision() {
    Object revision = status(certificate(CERTIFICATE)).get("revision");
    return revision == null ? 0 : ((Number) revision).longValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource resource) {
    Object status = resource == null ? null : resource.getAdditionalProperties().get("status");
    return status == null ? Map.of() : (Map<String, Object>) status;
  }

  @SuppressWarnings("unchecked")
  private static String readyCondition(GenericKubernetesResource resource) {
    Object conditions = status(resource).get("conditions");
    if (conditions == null) {
      return null;
    }
    return ((List<Map<String, Object>>) conditions)
        .stream()
            .filter(c -> "Ready".equals(c.get("type")))
            .map(c -> String.valueOf(c.get("status")))
            .findFirst()
            .orElse(null);
  }

  private static MutatingWebhookConfiguration webhookConfiguration() {
    return cluster
        .client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("traceroll-webhook")
        .get();
  }

  private static String webhookName(String ns) {
    return POLICY + "." + ns + ".pods.traceroll.io";
  }

  /** Waits until the policy's webhook is registered and carries a CA bundle. */
  private static MutatingWebhook awaitInjectedWebhook(String ns) {
    await()
        .atMost(TestCluster.timeout())
        .until(() -> webhook(ns) != null && webhook(ns).getClientConfig().getCaBundle() != null);
    return webhook(ns);
  }

  private static MutatingWebhook webhook(String ns) {
    MutatingWebhookConfiguration mwc = webhookConfiguration();
    return mwc == null
        ? null
        : mwc.getWebhooks().stream()
            .filter(w -> w.getName().equals(webhookName(ns)))
            .findFirst()
            .orElse(null);
  }

  /** The CA bundle in the policy's webhook, as PEM. */
  private static String injectedCa(String ns) {
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

  private static void createPolicy(String ns) throws Exception {
    cluster.client.resource(TestCluster.sample("tracingpolicy-otlp.yaml", ns)).create();
  }

  private static String namespace(String prefix) {
    return namespace(prefix, Map.of());
  }

  private static String namespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    namespaces.add(0, ns); // deleted before the release's namespace
    return ns;
  }

  /** Labels of a namespace whose pods the policy in {@code policyNamespace} instruments. */
  private static Map<String, String> selectedBy(String policyNamespace) {
    return Map.of(
        Traceroll.INJECT_LABEL,
        Traceroll.INJECT_ENABLED,
        Traceroll.POLICY_LABEL,
        policyNamespace + "." + POLICY);
  }

  private static Pod dryRunPod(String ns) {
    return cluster
        .client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withGenerateName("probe-")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example/app:1")
                .endContainer()
                .endSpec()
                .build())
        .dryRun()
        .create();
  }

  /**
   * Waits until the API server, calling the webhook, admits pods of the namespace with the agent.
   */
  private static void awaitInjected(String ns) {
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(500))
        .until(() -> annotations(dryRunPod(ns)).containsKey(Traceroll.INJECTED_ANNOTATION));
  }

  private static Map<String, String> annotations(io.fabric8.kubernetes.api.model.HasMetadata o) {
    Map<String, String> annotations = o.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static String certManagerDiagnostics() {
    StringBuilder out = new StringBuilder();
    if (certManager != null) {
      out.append(certManager.logs());
    }
    if (cluster != null && namespace != null) {
      out.append("----- cert-manager objects in ").append(namespace).append(" -----\n");
      for (String kind : List.of("Issuer", "Certificate", "CertificateRequest")) {
        cluster
            .client
            .genericKubernetesResources(CertManager.GROUP_VERSION, kind)
            .inNamespace(namespace)
            .list()
            .getItems()
            .forEach(o -> out.append("---\n").append(Serialization.asYaml(o)));
      }
      out.append("----- webhook configuration -----\n")
          .append(Serialization.asYaml(webhookConfiguration()));
    }
    return out.toString();
  }

  // --- TLS

  /** The certificate the operator's webhook port serves now (no verification). */
  private static X509Certificate served() throws Exception {
    return handshake(null, null, operator.ports().webhook())[0];
  }

  /** Waits until the served certificate matches, without restarting anything. */
  private static X509Certificate awaitServed(java.util.function.Predicate<X509Certificate> wanted) {
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(250))
        .until(() -> wanted.test(served()));
    try {
      return served();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A TLS handshake with the webhook port on 127.0.0.1, as a client that trusts only {@code trust}
   * and checks that the certificate names {@code host} (the host name also goes out as SNI); with
   * no trust store, trusts anything and checks nothing. Returns the chain the server sent.
   */
  private static X509Certificate[] handshake(KeyStore trust, String host, int port)
      throws Exception {
    TrustManager[] trustManagers;
    if (trust == null) {
      trustManagers = new TrustManager[] {new TrustingEverything()};
    } else {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      trustManagers = tmf.getTrustManagers();
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers, null);
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    try (SSLSocket socket =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(plain, Objects.requireNonNullElse(host, "127.0.0.1"), port, true)) {
      socket.setSoTimeout(5000);
      if (trust != null) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
      }
      socket.startHandshake();
      return (X509Certificate[]) socket.getSession().getPeerCertificates();
    }
  }

  private static KeyStore trusting(String pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (X509Certificate ca : parse(pem)) {
      store.setCertificateEntry("ca-" + i++, ca);
    }
    return store;
  }

  private static List<X509Certificate> certificates(Secret secret, String key) throws Exception {
    return parse(decode(secret.getData().get(key)));
  }

  private static List<X509Certificate> parse(String pem) throws CertificateException {
    return CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))
        .stream()
        .map(X509Certificate.class::cast)
        .toList();
  }

  private static PrivateKey privateKey(Secret secret) {
    return CertificateAuthority.readKey(decode(secret.getData().get("tls.key")));
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

  private static List<String> sans(X509Certificate certificate) {
    try {
      var names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : names.stream().map(n -> String.valueOf(n.get(1))).toList();
    } catch (CertificateException e) {
      throw new AssertionError(e);
    }
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** Only to read what the server sends; the verifying handshakes use PKIX. */
  private static final class TrustingEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
