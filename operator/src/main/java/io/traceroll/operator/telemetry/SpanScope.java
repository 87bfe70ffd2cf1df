package io.traceroll.operator.telemetry;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Scope;
import org.slf4j.MDC;

/**
 * A span made current for a stretch of work on one thread, with its trace and span ids in the MDC
 * so every log line written meanwhile carries them; closing ends the span and restores the MDC.
 */
public final class SpanScope implements AutoCloseable {
  /** MDC keys of the current span's ids, as log lines carry them. */
  public static final String TRACE_ID = "trace_id";

  public static final String SPAN_ID = "span_id";

  /** Tracing off: the invalid span (whose setters do nothing), no MDC. */
  static final SpanScope NONE = new SpanScope(Span.getInvalid(), null, null, null);

  private final Span span;
  private final Scope current;
  private final String previousTraceId;
  private final String previousSpanId;

  private SpanScope(Span span, Scope current, String previousTraceId, String previousSpanId) {
    this.span = span;
    this.current = current;
    this.previousTraceId = previousTraceId;
    this.previousSpanId = previousSpanId;
  }

  static SpanScope open(Span span) {
    String previousTraceId = MDC.get(TRACE_ID);
    String previousSpanId = MDC.get(SPAN_ID);
    SpanContext context = span.getSpanContext();
    MDC.put(TRACE_ID, context.getTraceId());
    MDC.put(SPAN_ID, context.getSpanId());
    return new SpanScope(span, span.makeCurrent(), previousTraceId, previousSpanId);
  }

  public Span span() {
    return span;
  }

  @Override
  public void close() {
    if (current == null) {
      return;
    }
    current.close();
    span.end();
    restore(TRACE_ID, previousTraceId);
    restore(SPAN_ID, previousSpanId);
  }

  private static void restore(String key, String previous) {
    if (previous == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, previous);
    }
  }
}
