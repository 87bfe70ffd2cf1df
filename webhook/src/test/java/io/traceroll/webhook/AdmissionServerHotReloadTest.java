package io.traceroll.webhook;

import static io.traceroll.policy.TestPolicies.namespace;
import static io.traceroll.webhook.TestPods.JSON;
import static io.traceroll.webhook.TestPods.apply;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTPS endpoint end to end, and certificate rotation without a restart. */
class AdmissionServerHotReloadTest {
  final ReloadingKeyManager keys = new ReloadingKeyManager();
  final List<AdmissionHandler.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
  AdmissionServer server;

  @BeforeEach
  void start() throws Exception {
    PolicyResolver resolver =
        new PolicyResolver(
            () -> List.of(TestPolicies.otlpPolicy("obs", "tracing", TestPolicies.CREATED)),
            Map.of("shop", namespace("shop", Map.of("traceroll.io/inject", "enabled")))::get,
            new NamespaceSelection("traceroll-system"),
            Duration.ZERO);
    server =
        new AdmissionServer(
            new InetSocketAddress("127.0.0.1", 0),
            keys,
            new AdmissionHandler(resolver, (namespace, outcome, nanos) -> outcomes.add(outcome)),
            2);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Issues a serving certificate for localhost and 127.0.0.1 and loads it through PEM. */
  static CertificateAuthority.Issued loadServing(
      ReloadingKeyManager keys, CertificateAuthority.Issued ca) {
    CertificateAuthority.Issued serving =
        CertificateAuthority.issueServing(
            ca, List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
    X509Certificate certificate = CertificateAuthority.readCertificate(serving.certificatePem());
    keys.load(new X509Certificate[] {certificate}, CertificateAuthority.readKey(serving.keyPem()));
    return serving;
  }

  static HttpClient trusting(CertificateAuthority.Issued ca) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> mutate(HttpClient client) throws Exception {
    byte[] review = JSON.writeValueAsBytes(review());
    return client.send(
        HttpRequest.newBuilder(uri(AdmissionServer.MUTATE_PATH))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(review))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> health(HttpClient client) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri("/healthz")).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static X509Certificate served(HttpResponse<?> response) throws Exception {
    SSLSession session = response.sslSession().orElseThrow();
    return (X509Certificate) session.getPeerCertificates()[0];
  }

  @Test
  void answersAnAdmissionReviewOverTlsWithAPatchThatApplies() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("traceroll-ca", Duration.ofDays(1));
    CertificateAuthority.Issued serving = loadServing(keys, ca);

    HttpResponse<String> response = mutate(trusting(ca));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(served(response)).isEqualTo(serving.certificate());
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/response/uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(body.at("/response/allowed").asBoolean()).isTrue();
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(body.at("/response/patch").asText()));
    JsonNode pod = apply(review().at("/request/object"), patch);
    assertThat(asPod(pod).getSpec().getInitContainers()).isNotEmpty();
    assertThat(outcomes).containsExactly(AdmissionHandler.Outcome.INJECTED);
  }

  @Test
  void aCertificateFromANewCaIsServedWithoutARestart() throws Exception {
    CertificateAuthority.Issued firstCa =
        CertificateAuthority.newCa("first-ca", Duration.ofDays(1));
    CertificateAuthority.Issued first = loadServing(keys, firstCa);
    HttpResponse<String> before = mutate(trusting(firstCa));
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(served(before)).isEqualTo(first.certificate());
    int port = server.port();

    CertificateAuthority.Issued secondCa =
        CertificateAuthority.newCa("second-ca", Duration.ofDays(1));
    CertificateAuthority.Issued second = loadServing(keys, secondCa);

    assertThat(server.port()).isEqualTo(port);
    assertThat(keys.certificate()).isEqualTo(second.certificate());
    HttpClient fresh = trusting(secondCa);
    HttpResponse<String> after = mutate(fresh);
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).contains("\"patchType\":\"JSONPatch\"");
    assertThat(served(after)).isEqualTo(second.certificate());
    assertThat(served(after).getIssuerX500Principal().getName()).isEqualTo("CN=second-ca");
    HttpResponse<String> healthz = health(fresh);
    assertThat(healthz.statusCode()).isEqualTo(200);
    assertThat(healthz.body()).isEqualTo("ok\n");
    // A new client that only trusts the old CA is now refused.
    assertThatThrownBy(() -> mutate(trusting(firstCa))).hasStackTraceContaining("PKIX");
  }

  @Test
  void aServerStartedBeforeItsFirstCertificateServesOnceOneIsLoaded() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("late-ca", Duration.ofDays(1));
    assertThat(keys.certificate()).isNull();
    assertThatThrownBy(() -> health(trusting(ca))).isInstanceOf(IOException.class);

    loadServing(keys, ca);

    assertThat(health(trusting(ca)).statusCode()).isEqualTo(200);
    assertThat(mutate(trusting(ca)).statusCode()).isEqualTo(200);
  }

  @Test
  void malformedReviewsGet400OverTheWire() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("ca", Duration.ofDays(1));
    loadServing(keys, ca);
    HttpClient client = trusting(ca);

    HttpResponse<String> bad =
        client.send(
            HttpRequest.newBuilder(uri(AdmissionServer.MUTATE_PATH))
                .POST(HttpRequest.BodyPublishers.ofString("{broken"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).path("error").asText()).isNotBlank();
    assertThat(mutate(client).statusCode()).isEqualTo(200);
  }
}
