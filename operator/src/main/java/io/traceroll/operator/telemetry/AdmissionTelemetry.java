package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.traceroll.webhook.AdmissionHandler;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What every admission reports: a count by result and its server-side latency. On the admission hot
 * path, so everything is registered up front and a call is two lock-free updates.
 */
public final class AdmissionTelemetry implements AdmissionHandler.Listener {
  public static final String ADMISSIONS = "traceroll_admissions";
  public static final String DURATION = "traceroll_admission_duration";

  /** From a cached skip (~50 µs) to the API server's default webhook timeout and beyond. */
  static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(3)
  };

  private final Map<AdmissionHandler.Outcome, Counter> admissions =
      new EnumMap<>(AdmissionHandler.Outcome.class);
  private final Timer latency;

  public AdmissionTelemetry(MeterRegistry registry) {
    for (AdmissionHandler.Outcome outcome : AdmissionHandler.Outcome.values()) {
      admissions.put(
          outcome,
          Counter.builder(ADMISSIONS)
              .description(
                  "Admission requests answered, by result: injected, unchanged (already"
                      + " injected), skipped (not governed or opted out), failed_open (internal"
                      + " error, admitted unchanged), bad_request (not an AdmissionReview)")
              .tag("result", result(outcome))
              .register(registry));
    }
    latency =
        Timer.builder(DURATION)
            .description("Time to answer an admission request, server side")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);
  }

  /** The metric label of an outcome: injected, failed_open, ... */
  public static String result(AdmissionHandler.Outcome outcome) {
    return outcome.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void admitted(String namespace, AdmissionHandler.Outcome outcome, long nanos) {
    admissions.get(outcome).increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
