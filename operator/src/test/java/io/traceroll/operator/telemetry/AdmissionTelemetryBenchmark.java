package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.PolicyResolver;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the operator's admission listener costs on the hot path, measured as the handler measures
 * itself (request body to response body, in process, one thread): metrics and spans as the operator
 * wires them with self-tracing off and on, against the metrics-only listener it replaced. Not a
 * test: run its main (see docs/benchmarks.md).
 *
 * <p>Arguments: admissions per variant and round (default 50000), rounds (default 3).
 */
public final class AdmissionTelemetryBenchmark {
  public static void main(String[] args) throws Exception {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    PolicyResolver resolver = AdmissionTelemetryTest.resolver();
    byte[] review = AdmissionTelemetryTest.review("shop");

    SelfTracing on =
        SelfTracing.using(
            OpenTelemetrySdk.builder()
                .setTracerProvider(
                    SdkTracerProvider.builder()
                        .addSpanProcessor(BatchSpanProcessor.builder(new Discarding()).build())
                        .build())
                .build());
    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put("metrics only (before)", new Variant(resolver, previousListener()));
    variants.put(
        "tracing off",
        new Variant(resolver, new AdmissionTelemetry(OperatorMetrics.create(), SelfTracing.off())));
    variants.put(
        "tracing on", new Variant(resolver, new AdmissionTelemetry(OperatorMetrics.create(), on)));

    for (Variant v : variants.values()) {
      v.run(review, perRound, false); // warm-up
    }
    for (int round = 0; round < rounds; round++) {
      for (Variant v : variants.values()) {
        v.run(review, perRound, true);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d admissions per variant (%d rounds, interleaved)%n",
        perRound * rounds,
        rounds);
    for (var e : variants.entrySet()) {
      System.out.printf(Locale.ROOT, "%-22s %s%n", e.getKey(), e.getValue().summary());
    }
    on.close();
  }

  /** The listener WebhookRuntime used before: counters and a percentile-histogram timer. */
  static AdmissionHandler.Listener previousListener() {
    PrometheusMeterRegistry registry = OperatorMetrics.create();
    Timer latency =
        Timer.builder("traceroll_admission_duration")
            .publishPercentileHistogram()
            .register(registry);
    Map<AdmissionHandler.Outcome, Counter> counters = new EnumMap<>(AdmissionHandler.Outcome.class);
    for (AdmissionHandler.Outcome o : AdmissionHandler.Outcome.values()) {
      counters.put(
          o, Counter.builder("traceroll_admissions").tag("result", o.name()).register(registry));
    }
    return (namespace, outcome, nanos) -> {
      counters.get(outcome).increment();
      latency.record(nanos, TimeUnit.NANOSECONDS);
    };
  }

  /** One listener behind a handler, and the server-side times it saw. */
  static final class Variant {
    final AdmissionHandler handler;
    long[] nanos = new long[0];
    long last;
    boolean recording;

    Variant(PolicyResolver resolver, AdmissionHandler.Listener listener) {
      this.handler =
          new AdmissionHandler(
              resolver,
              new AdmissionHandler.Listener() {
                @Override
                public AdmissionHandler.Scope started() {
                  return listener.started();
                }

                @Override
                public void admitted(String ns, AdmissionHandler.Outcome outcome, long n) {
                  listener.admitted(ns, outcome, n);
                  last = n;
                }
              });
    }

    void run(byte[] review, int count, boolean keep) {
      long[] seen = new long[count];
      for (int i = 0; i < count; i++) {
        handler.handle(review);
        seen[i] = last;
      }
      if (keep) {
        long[] all = Arrays.copyOf(nanos, nanos.length + count);
        System.arraycopy(seen, 0, all, nanos.length, count);
        nanos = all;
      }
    }

    String summary() {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(sorted).average().orElse(0) / 1000.0;
      return String.format(
          Locale.ROOT,
          "mean %6.1f µs  p50 %6.1f µs  p90 %6.1f µs  p99 %6.1f µs  p99.9 %7.1f µs",
          mean,
          at(sorted, 0.50),
          at(sorted, 0.90),
          at(sorted, 0.99),
          at(sorted, 0.999));
    }

    static double at(long[] sorted, double q) {
      return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))]
          / 1000.0;
    }
  }

  /** Spans go nowhere: what is measured is making them, not sending them. */
  static final class Discarding implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
