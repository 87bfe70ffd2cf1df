package io.traceroll.operator.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
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
  static final String SPAN_NAME = "admission";
  static final AttributeKey<String> NAMESPACE_ATTRIBUTE =
      AttributeKey.stringKey("k8s.namespace.name");
  static final AttributeKey<String> RESULT_ATTRIBUTE =
      AttributeKey.stringKey("traceroll.admission.result");
  static final AttributeKey<Boolean> INJECTED_ATTRIBUTE =
      AttributeKey.booleanKey("traceroll.admission.injected");

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
  private final SelfTracing tracing;

  public AdmissionTelemetry(MeterRegistry registry, SelfTracing tracing) {
    this.tracing = tracing;
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
  public AdmissionHandler.Scope started() {
    if (!tracing.enabled()) {
      return AdmissionHandler.Scope.NONE;
    }
    return tracing.start(SPAN_NAME, SpanKind.SERVER)::close;
  }

  @Override
  public void admitted(String namespace, AdmissionHandler.Outcome outcome, long nanos) {
    admissions.get(outcome).increment();
    latency.record(nanos, TimeUnit.NANOSECONDS);
    if (tracing.enabled()) {
      Span span = Span.current(); // the one started() opened: same thread, still in scope
      if (namespace != null) {
        span.setAttribute(NAMESPACE_ATTRIBUTE, namespace);
      }
      span.setAttribute(RESULT_ATTRIBUTE, result(outcome));
      span.setAttribute(INJECTED_ATTRIBUTE, outcome == AdmissionHandler.Outcome.INJECTED);
      if (outcome == AdmissionHandler.Outcome.FAILED_OPEN
          || outcome == AdmissionHandler.Outcome.BAD_REQUEST) {
        span.setStatus(StatusCode.ERROR);
      }
    }
  }
}
