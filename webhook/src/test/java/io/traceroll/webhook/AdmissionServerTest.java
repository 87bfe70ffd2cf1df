package io.traceroll.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionServerTest {
  AdmissionServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void servesAdmissionsOverTlsAndPicksUpARotatedCertificateWithoutRestart() throws Exception {
    CertificateAuthority.Issued firstCa = CertificateAuthority.newCa("first", Duration.ofDays(1));
    ReloadingKeyManager keys = serve(firstCa);

    HttpResponse<String> first =
        post(client(firstCa), AdmissionHandlerTest.review("shop", "CREATE", "Pod"));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"patch\"");

    CertificateAuthority.Issued secondCa = CertificateAuthority.newCa("second", Duration.ofDays(1));
    load(keys, secondCa);

    HttpResponse<String> second =
        post(client(secondCa), AdmissionHandlerTest.review("shop", "CREATE", "Pod"));
    assertThat(second.statusCode()).isEqualTo(200);
    assertThatThrownBy(
            () -> post(client(firstCa), AdmissionHandlerTest.review("shop", "CREATE", "Pod")))
        .hasStackTraceContaining("PKIX");
    HttpResponse<String> health =
        client(secondCa)
            .send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.port() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void refusesOtherMethodsAndOversizedBodies() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("ca", Duration.ofDays(1));
    serve(ca);
    HttpClient client = client(ca);
    URI mutate = URI.create("https://127.0.0.1:" + server.port() + "/mutate");

    assertThat(
            client
                .send(
                    HttpRequest.newBuilder(mutate).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(405);
    byte[] huge = new byte[AdmissionServer.MAX_BODY + 10];
    assertThat(
            client
                .send(
                    HttpRequest.newBuilder(mutate)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(413);
  }

  @Test
  void connectionsOpenedAndLeftUnusedDoNotHoldUpAnAdmission() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("ca", Duration.ofDays(1));
    serve(ca);
    // What an API server does before a burst: open connections, handshake, send nothing yet.
    // The JDK server gave each such connection one of its few threads until its first request.
    List<SSLSocket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 16; i++) {
        SSLSocket socket =
            (SSLSocket) tlsContext(ca).getSocketFactory().createSocket("127.0.0.1", server.port());
        idle.add(socket);
        socket.setSoTimeout(2000);
        socket.startHandshake();
      }
      for (HttpClient.Version version : HttpClient.Version.values()) {
        HttpResponse<String> answer =
            post(
                client(ca, version, Duration.ofSeconds(2)),
                AdmissionHandlerTest.review("shop", "CREATE", "Pod"),
                Duration.ofSeconds(2));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.version()).isEqualTo(version);
        assertThat(answer.body()).contains("\"patch\"");
      }
    } finally {
      for (SSLSocket socket : idle) {
        socket.close();
      }
    }
  }

  @Test
  void admissionsWaitingForANewNamespaceDoNotHoldUpTheOthersOnTheirConnection() throws Exception {
    CertificateAuthority.Issued ca = CertificateAuthority.newCa("ca", Duration.ofDays(1));
    ReloadingKeyManager keys = new ReloadingKeyManager();
    load(keys, ca);
    Map<String, io.fabric8.kubernetes.api.model.Namespace> cache = new ConcurrentHashMap<>();
    cache.put("shop", TestPolicies.namespace("shop", Map.of("traceroll.io/inject", "enabled")));
    // A namespace missing from the cache is waited for (500 ms in production; longer here, so that
    // a slow machine cannot make the test pass by timing out the waits).
    server = start(keys, cache::get, Duration.ofSeconds(10));
    HttpClient client = client(ca);
    // One HTTP/2 connection, as the API server's: warm it up, then more admissions into a namespace
    // the cache has not seen than the server has handler threads, then one into a known namespace.
    assertThat(post(client, AdmissionHandlerTest.review("shop", "CREATE", "Pod")).statusCode())
        .isEqualTo(200);
    List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      waiting.add(postAsync(client, AdmissionHandlerTest.review("late", "CREATE", "Pod")));
    }
    Thread.sleep(50);

    HttpResponse<String> known =
        post(client, AdmissionHandlerTest.review("shop", "CREATE", "Pod"), Duration.ofSeconds(2));

    assertThat(known.body()).contains("\"patch\"");
    assertThat(known.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(waiting)
        .as("still waiting for their namespace")
        .noneMatch(CompletableFuture::isDone);
    cache.put("late", TestPolicies.namespace("late", Map.of("traceroll.io/inject", "enabled")));
    for (CompletableFuture<HttpResponse<String>> answer : waiting) {
      assertThat(answer.get(5, TimeUnit.SECONDS).body())
          .as("injected once the namespace is seen")
          .contains("\"patch\"");
    }
  }

  /** Starts the server with a certificate the CA issued; its keys, to load another one. */
  ReloadingKeyManager serve(CertificateAuthority.Issued ca) throws Exception {
    ReloadingKeyManager keys = new ReloadingKeyManager();
    load(keys, ca);
    server = start(keys);
    return keys;
  }

  AdmissionServer start(ReloadingKeyManager keys) throws Exception {
    return start(
        keys,
        Map.of("shop", TestPolicies.namespace("shop", Map.of("traceroll.io/inject", "enabled")))
            ::get,
        Duration.ZERO);
  }

  /** A started server whose one policy selects the labelled namespaces of this cache. */
  AdmissionServer start(
      ReloadingKeyManager keys,
      Function<String, io.fabric8.kubernetes.api.model.Namespace> namespaces,
      Duration namespaceWait)
      throws Exception {
    PolicyResolver resolver =
        new PolicyResolver(
            () -> List.of(TestPolicies.policy("obs", "default")),
            namespaces,
            new NamespaceSelection("ops"),
            namespaceWait);
    AdmissionServer s =
        new AdmissionServer(
            new InetSocketAddress("127.0.0.1", 0),
            keys,
            new AdmissionHandler(resolver, (ns, o, n) -> {}),
            2);
    s.start();
    return s;
  }

  static void load(ReloadingKeyManager keys, CertificateAuthority.Issued ca) {
    CertificateAuthority.Issued serving =
        CertificateAuthority.issueServing(
            ca, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
    keys.load(new X509Certificate[] {serving.certificate()}, serving.key());
  }

  static HttpClient client(CertificateAuthority.Issued trusted) throws Exception {
    return client(trusted, HttpClient.Version.HTTP_2, Duration.ofSeconds(5));
  }

  static HttpClient client(
      CertificateAuthority.Issued trusted, HttpClient.Version version, Duration connectTimeout)
      throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(tlsContext(trusted))
        .connectTimeout(connectTimeout)
        .build();
  }

  static SSLContext tlsContext(CertificateAuthority.Issued trusted) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", trusted.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }

  HttpResponse<String> post(HttpClient client, Object review) throws Exception {
    return post(client, review, null);
  }

  CompletableFuture<HttpResponse<String>> postAsync(HttpClient client, Object review)
      throws Exception {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/mutate"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(TestPods.JSON.writeValueAsBytes(review)))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs the review to /mutate; with a timeout, fails when no answer comes within it. */
  HttpResponse<String> post(HttpClient client, Object review, Duration timeout) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/mutate"));
    if (timeout != null) {
      request.timeout(timeout);
    }
    return client.send(
        request
            .POST(HttpRequest.BodyPublishers.ofByteArray(TestPods.JSON.writeValueAsBytes(review)))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
