package io.traceroll.operator.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's traces of its own work: a span per reconcile and per admission, exported by OTLP
 * as the standard OTEL_* variables say. Off unless TRACEROLL_TRACING_ENABLED=true; off, no span is
 * started and nothing reaches the MDC, so the admission path pays nothing for it.
 */
public final class SelfTracing implements AutoCloseable {
  public static final String ENABLED_ENV = "TRACEROLL_TRACING_ENABLED";
  static final String SCOPE_NAME = "io.traceroll.operator";
  private static final Logger LOG = LoggerFactory.getLogger(SelfTracing.class);

  /**
   * Defaults under the OTEL_* variables (which override them): our service name, spans only, and
   * OTLP over HTTP, the protocol the JDK sender speaks.
   */
  static final Map<String, String> DEFAULTS =
      Map.of(
          "otel.service.name", "traceroll-operator",
          "otel.exporter.otlp.protocol", "http/protobuf",
          "otel.metrics.exporter", "none",
          "otel.logs.exporter", "none");

  private static final SelfTracing OFF = new SelfTracing(OpenTelemetry.noop(), false, null);

  private final Tracer tracer;
  private final boolean enabled;
  private final OpenTelemetrySdk sdk;

  private SelfTracing(OpenTelemetry openTelemetry, boolean enabled, OpenTelemetrySdk sdk) {
    this.tracer = openTelemetry.getTracer(SCOPE_NAME);
    this.enabled = enabled;
    this.sdk = sdk;
  }

  /** No spans at all. */
  public static SelfTracing off() {
    return OFF;
  }

  /** Spans through this SDK (tests give one with an in-memory exporter); closed with us. */
  public static SelfTracing using(OpenTelemetrySdk sdk) {
    return new SelfTracing(sdk, true, sdk);
  }

  /**
   * On when TRACEROLL_TRACING_ENABLED=true (and OTEL_SDK_DISABLED is not true); the SDK then
   * follows OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER and the other standard variables. A
   * configuration the SDK refuses leaves tracing off rather than the operator down.
   */
  public static SelfTracing fromEnvironment(Map<String, String> env) {
    if (!Boolean.parseBoolean(env.getOrDefault(ENABLED_ENV, "false").trim())
        || Boolean.parseBoolean(env.getOrDefault("OTEL_SDK_DISABLED", "false").trim())) {
      return off();
    }
    try {
      OpenTelemetrySdk sdk =
          AutoConfiguredOpenTelemetrySdk.builder()
              .addPropertiesSupplier(() -> DEFAULTS)
              .disableShutdownHook() // Main closes us after the servers stop
              .build()
              .getOpenTelemetrySdk();
      LOG.info("self-tracing on: a span per reconcile and per admission, exported by OTLP");
      return using(sdk);
    } catch (RuntimeException e) {
      LOG.error(
          "self-tracing left off: the OpenTelemetry SDK refused its configuration: {}", causes(e));
      return off();
    }
  }

  /** Every message down the cause chain: the SDK wraps the one that says what is wrong. */
  private static String causes(Throwable e) {
    StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      out.append(": ").append(c.getMessage());
    }
    return out.toString();
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * Starts a root span and makes it current, with its ids in the MDC, until the scope closes. Off,
   * returns a scope that does nothing.
   */
  public SpanScope start(String name, SpanKind kind) {
    if (!enabled) {
      return SpanScope.NONE;
    }
    Span span = tracer.spanBuilder(name).setNoParent().setSpanKind(kind).startSpan();
    return SpanScope.open(span);
  }

  /** Flushes what is buffered and stops exporting. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.close();
    }
  }
}
