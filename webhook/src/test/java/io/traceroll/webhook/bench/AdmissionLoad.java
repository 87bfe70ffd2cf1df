package io.traceroll.webhook.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Drives {@code admissionload} (e2e/bench/admissionload), the Go client built like the API server's
 * webhook client, for the benchmarks that load a webhook: {@link AdmissionBenchmark} (the server
 * alone, {@code make bench}) and the e2e scale benchmark (the operator with its caches full).
 *
 * <p>The client sends an open-loop load at a fixed rate, says {@code measuring} on its standard
 * error when the warm-up ends (so a caller can take its own counters at that instant), and prints
 * one JSON summary on its standard output: answered, failed, firstFailure, seconds, perSecond,
 * protocol, connectionsOpen and the client-side percentiles p50, p90, p99, p99.9 and p100 in ms.
 *
 * @param binary the client; {@link #findBinary()} finds it
 * @param url the webhook's URL
 * @param ca PEM file of the CA that signed the webhook's certificate
 * @param body the AdmissionReview to post, a JSON file
 * @param protocol {@code h2} (what the API server negotiates) or {@code http1.1}
 */
public record AdmissionLoad(
    String binary,
    String url,
    Path ca,
    Path body,
    int rate,
    int seconds,
    int warmupSeconds,
    String protocol) {

  /** {@code $ADMISSIONLOAD}, else the copy the benchmarks build into the tool cache. */
  public static String findBinary() {
    return System.getenv()
        .getOrDefault(
            "ADMISSIONLOAD",
            System.getProperty("user.home") + "/.cache/traceroll/bin/admissionload");
  }

  /**
   * Runs the load to its end.
   *
   * @param onMeasuring runs once, on the client's cue that the warm-up is over
   * @param stderr the client's other standard-error lines
   * @return the client's JSON summary
   */
  public JsonNode run(Runnable onMeasuring, Consumer<String> stderr)
      throws IOException, InterruptedException {
    Process load =
        new ProcessBuilder(
                binary,
                "-url",
                url,
                "-ca",
                ca.toString(),
                "-body",
                body.toString(),
                "-rate",
                Integer.toString(rate),
                "-duration",
                seconds + "s",
                "-warmup",
                warmupSeconds + "s",
                "-proto",
                protocol)
            .start();
    Thread cues =
        new Thread(
            () -> {
              try (BufferedReader err = load.errorReader(StandardCharsets.UTF_8)) {
                for (String line; (line = err.readLine()) != null; ) {
                  if (line.equals("measuring")) {
                    onMeasuring.run();
                  } else {
                    stderr.accept(line);
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "admissionload-stderr");
    cues.start();
    String out = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = load.waitFor();
    cues.join();
    if (exit != 0) {
      throw new IllegalStateException("admissionload exited with " + exit + ": " + out);
    }
    return new ObjectMapper().readTree(out);
  }

  /** The summary's count line: answers, rate, protocol, connections and failures. */
  public static String describe(JsonNode summary) {
    int failed = summary.path("failed").asInt();
    return String.format(
        Locale.ROOT,
        "%d answered in %.1f s = %.0f/s over %s (%d connections opened), %d failed%s",
        summary.path("answered").asInt(),
        summary.path("seconds").asDouble(),
        summary.path("perSecond").asDouble(),
        summary.path("protocol").asText(),
        summary.path("connectionsOpen").asInt(),
        failed,
        failed > 0 ? " (first: " + summary.path("firstFailure").asText() + ")" : "");
  }

  /** The client-side percentiles in one line. */
  public static String percentiles(JsonNode summary) {
    return String.format(
        Locale.ROOT,
        "client-side p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms",
        summary.path("p50").asDouble(),
        summary.path("p90").asDouble(),
        summary.path("p99").asDouble(),
        summary.path("p99.9").asDouble(),
        summary.path("p100").asDouble());
  }
}
