package io.traceroll.webhook.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission latency and throughput of the webhook server on this machine: an open-loop load of
 * AdmissionReviews for a realistic Deployment pod over TLS on loopback, at a fixed rate, sent by
 * {@code admissionload} (e2e/bench/admissionload), a Go client built like the API server's webhook
 * client (Go's HTTP/2 over TLS). Server-side latency is what the handler measures from request body
 * to response body; client latency adds TLS, HTTP and the loopback round trip. Not a test: run with
 * {@code make bench}.
 *
 * <p>Arguments: requests per second (default 1000), seconds (default 30), server threads (default
 * 2), protocol ({@code h2}, the default and what the API server negotiates, or {@code http1.1}).
 * The client binary is {@code $ADMISSIONLOAD} (make bench builds it).
 */
public final class AdmissionBenchmark {
  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    String protocol = args.length > 3 ? args[3] : "h2";
    String client = AdmissionLoad.findBinary();
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

    Path dir = Files.createTempDirectory("admission-bench");
    Path caFile = Files.writeString(dir.resolve("ca.pem"), ca.certificatePem());
    Path body = Files.write(dir.resolve("review.json"), json.writeValueAsBytes(review(json)));
    System.out.printf(
        Locale.ROOT,
        "%d admissions/s for %d s after 10 s of warm-up, %d server threads, client %s%n",
        rate,
        seconds,
        threads,
        protocol);
    AdmissionLoad load =
        new AdmissionLoad(
            client,
            "https://127.0.0.1:" + server.port() + AdmissionServer.MUTATE_PATH,
            caFile,
            body,
            rate,
            seconds,
            10,
            protocol);
    // The server-side samples of the measured part only: the client says when warm-up ends.
    JsonNode answers =
        load.run(
            () -> {
              serverCount.set(0);
              injected.set(0);
            },
            System.err::println);
    int n = Math.min(serverCount.get(), serverNanos.length);
    long[] serverSide = Arrays.copyOf(serverNanos, n);
    Arrays.sort(serverSide);
    System.out.println(
        "completed " + AdmissionLoad.describe(answers) + ", " + injected.get() + " injected");
    print(
        "server-side",
        ms(serverSide, 0.50),
        ms(serverSide, 0.90),
        ms(serverSide, 0.99),
        ms(serverSide, 0.999),
        serverSide[serverSide.length - 1] / 1e6);
    System.out.println(AdmissionLoad.percentiles(answers));
    server.close();
    System.exit(0);
  }

  /** One line of percentiles (p50, p90, p99, p99.9, max), in milliseconds. */
  private static void print(String label, double... ms) {
    System.out.printf(
        Locale.ROOT,
        "%-12s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
        label,
        ms[0],
        ms[1],
        ms[2],
        ms[3],
        ms[4]);
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
}
