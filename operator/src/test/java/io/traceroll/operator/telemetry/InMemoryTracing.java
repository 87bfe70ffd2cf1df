package io.traceroll.operator.telemetry;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;

/** Self-tracing into memory: every ended span is there to inspect at once. */
public final class InMemoryTracing implements AutoCloseable {
  public final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  public final SelfTracing tracing =
      SelfTracing.using(
          OpenTelemetrySdk.builder()
              .setTracerProvider(
                  SdkTracerProvider.builder()
                      .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                      .build())
              .build());

  public List<SpanData> spans() {
    return exporter.getFinishedSpanItems();
  }

  public List<SpanData> spans(String name) {
    return spans().stream().filter(s -> s.getName().equals(name)).toList();
  }

  @Override
  public void close() {
    tracing.close();
  }
}
