package io.traceroll.webhook.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.AdmissionServer;
import io.traceroll.webhook.PolicyResolver;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Admission latency and throughput of the webhook server on this machine: an open-loop load of
 * AdmissionReviews for a realistic Deployment pod over TLS on loopback, at a fixed rate.
 * Server-side latency is what the handler measures from request body to response body; client
 * latency adds TLS, HTTP and the loopback round trip. Not a test: run with {@code make bench}.
 *
 * <p>Arguments: requests per second (default 1000), seconds (default 30), server threads (default
 * 2).
 */
public final class AdmissionBenchmark {
  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    ObjectMapper json = new ObjectMapper();

    CertificateAuthority.Issued ca = CertificateAuthority.newCa("bench", Duration.ofDays(1));
    CertificateAuthority.Issued serving =
        CertificateAuthority.issueServing(
            ca, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
    ReloadingKeyManager keys = new ReloadingKeyManager();
    keys.load(new X509Certificate[] {serving.certificate()}, serving.key());

    Map<String, Namespace> namespaces =
        Map.of(
            "shop",
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("shop")
                .addToLabels("traceroll.io/inject", "enabled")
                .endMetadata()
                .build());
    PolicyResolver resolver =
        new PolicyResolver(() -> List.of(policy()), namespaces::get, new NamespaceSelection("ops"));
    long[] serverNanos = new long[rate * (seconds + 10)];
    AtomicInteger serverCount = new AtomicInteger();
    AtomicInteger injected = new AtomicInteger();
    AdmissionHandler handler =
        new AdmissionHandler(
            resolver,
            (namespace, outcome, nanos) -> {
              int i = serverCount.getAndIncrement();
              if (i < serverNanos.length) {
                serverNanos[i] = nanos;
              }
              if (outcome == AdmissionHandler.Outcome.INJECTED) {
                injected.incrementAndGet();
              }
            });
    AdmissionServer server =
        new AdmissionServer(new InetSocketAddress("127.0.0.1", 0), keys, handler, threads);
    server.start();

    byte[] body = json.writeValueAsBytes(review(json));
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(trusting(ca))
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/mutate"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .header("Content-Type", "application/json")
            .build();

    System.out.printf(Locale.ROOT, "warming up (%d s)...%n", 10);
    run(client, request, rate, 10, new ConcurrentLinkedQueue<>());
    serverCount.set(0);
    injected.set(0);

    System.out.printf(
        Locale.ROOT,
        "measuring %d admissions/s for %d s, %d server threads%n",
        rate,
        seconds,
        threads);
    ConcurrentLinkedQueue<Long> clientNanos = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    int failures = run(client, request, rate, seconds, clientNanos);
    double elapsed = (System.nanoTime() - start) / 1e9;

    int n = Math.min(serverCount.get(), serverNanos.length);
    long[] serverSide = Arrays.copyOf(serverNanos, n);
    long[] clientSide = clientNanos.stream().mapToLong(Long::longValue).toArray();
    System.out.printf(
        Locale.ROOT,
        "completed %d requests in %.1f s = %.0f/s, %d failed, %d injected%n",
        clientSide.length,
        elapsed,
        clientSide.length / elapsed,
        failures,
        injected.get());
    print("server-side", serverSide);
    print("client-side", clientSide);
    server.close();
    System.exit(0);
  }

  /** Sends at a fixed rate without waiting for answers (open loop); returns failures. */
  private static int run(
      HttpClient client,
      HttpRequest request,
      int rate,
      int seconds,
      ConcurrentLinkedQueue<Long> latencies)
      throws Exception {
    AtomicInteger failures = new AtomicInteger();
    long interval = 1_000_000_000L / rate;
    long next = System.nanoTime();
    long end = next + seconds * 1_000_000_000L;
    List<CompletableFuture<?>> pending = new ArrayList<>();
    while (next < end) {
      long sent = next;
      pending.add(
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
              .whenComplete(
                  (response, error) -> {
                    if (error != null || response.statusCode() != 200) {
                      failures.incrementAndGet();
                    } else {
                      latencies.add(System.nanoTime() - sent);
                    }
                  }));
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .join();
    return failures.get();
  }

  private static void print(String label, long[] nanos) {
    Arrays.sort(nanos);
    System.out.printf(
        Locale.ROOT,
        "%-12s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
        label,
        ms(nanos, 0.50),
        ms(nanos, 0.90),
        ms(nanos, 0.99),
        ms(nanos, 0.999),
        nanos[nanos.length - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static TracingPolicy policy() {
    return TestPolicies.policy("obs", "default");
  }

  private static ObjectNode review(ObjectMapper json) throws Exception {
    ObjectNode review = json.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", "bench");
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.put("namespace", "shop");
    request.put("operation", "CREATE");
    try (InputStream in =
        AdmissionBenchmark.class.getResourceAsStream("/admission/pods/deployment-pod.json")) {
      request.set("object", json.readTree(in));
    }
    return review;
  }

  private static SSLContext trusting(CertificateAuthority.Issued ca) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    store.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    return tls;
  }
}
