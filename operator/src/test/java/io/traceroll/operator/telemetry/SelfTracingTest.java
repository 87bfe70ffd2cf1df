package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class SelfTracingTest {
  @Test
  void isOffUnlessAskedFor() {
    assertThat(SelfTracing.fromEnvironment(Map.of()).enabled()).isFalse();
    assertThat(SelfTracing.fromEnvironment(Map.of("TRACEROLL_TRACING_ENABLED", "false")).enabled())
        .isFalse();
    assertThat(
            SelfTracing.fromEnvironment(
                    Map.of("TRACEROLL_TRACING_ENABLED", "true", "OTEL_SDK_DISABLED", "true"))
                .enabled())
        .isFalse();
  }

  @Test
  void offStartsNothingAndLeavesTheMdcAlone() {
    SelfTracing off = SelfTracing.off();
    try (SpanScope scope = off.start("reconcile", SpanKind.INTERNAL)) {
      assertThat(scope).isSameAs(SpanScope.NONE);
      assertThat(scope.span().isRecording()).isFalse();
      assertThat(Span.current().getSpanContext().isValid()).isFalse();
      assertThat(MDC.get(SpanScope.TRACE_ID)).isNull();
    }
  }

  @Test
  void onItExportsOtlpOverHttpWhereTheStandardVariablesSay() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestURI().getPath()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Content-Type")
                  + " "
                  + new String(body, StandardCharsets.ISO_8859_1));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    // What OTEL_EXPORTER_OTLP_ENDPOINT says in a pod (system properties weigh the same here).
    System.setProperty(
        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort());
    try {
      try (SelfTracing on =
          SelfTracing.fromEnvironment(Map.of("TRACEROLL_TRACING_ENABLED", "true"))) {
        assertThat(on.enabled()).isTrue();
        try (SpanScope scope = on.start("reconcile", SpanKind.INTERNAL)) {
          assertThat(scope.span().isRecording()).isTrue();
          assertThat(Span.current()).isSameAs(scope.span());
        }
      } // closing flushes
      assertThat(received)
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r)
                      .startsWith("POST /v1/traces application/x-protobuf")
                      .contains("traceroll-operator")
                      .contains("reconcile"));
    } finally {
      System.clearProperty("otel.exporter.otlp.endpoint");
      collector.stop(0);
    }
  }

  @Test
  void aConfigurationTheSdkRefusesLeavesTracingOffAndTheOperatorUp() {
    // gRPC needs a sender this jar leaves out (OkHttp): OTLP goes over HTTP only.
    System.setProperty("otel.exporter.otlp.protocol", "grpc");
    try (SelfTracing tracing =
        SelfTracing.fromEnvironment(Map.of("TRACEROLL_TRACING_ENABLED", "true"))) {
      assertThat(tracing.enabled()).isFalse();
    } finally {
      System.clearProperty("otel.exporter.otlp.protocol");
    }
  }

  @Test
  void aSpanIsCurrentWithItsIdsInTheMdcUntilItsScopeCloses() {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      try (SpanScope scope = memory.tracing.start("admission", SpanKind.SERVER)) {
        var context = scope.span().getSpanContext();
        assertThat(MDC.get(SpanScope.TRACE_ID)).isEqualTo(context.getTraceId());
        assertThat(MDC.get(SpanScope.SPAN_ID)).isEqualTo(context.getSpanId());
        assertThat(Span.current().getSpanContext()).isEqualTo(context);
      }
      assertThat(MDC.get(SpanScope.TRACE_ID)).isNull();
      assertThat(MDC.get(SpanScope.SPAN_ID)).isNull();
      assertThat(Span.current().getSpanContext().isValid()).isFalse();
      assertThat(memory.spans())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getName()).isEqualTo("admission");
                assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
                assertThat(s.getParentSpanContext().isValid()).isFalse();
              });
    }
  }

  @Test
  void everySpanIsARootEvenWhenAnotherIsCurrent() {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      try (SpanScope outer = memory.tracing.start("outer", SpanKind.INTERNAL);
          SpanScope inner = memory.tracing.start("inner", SpanKind.INTERNAL)) {
        assertThat(inner.span().getSpanContext().getTraceId())
            .isNotEqualTo(outer.span().getSpanContext().getTraceId());
        assertThat(MDC.get(SpanScope.TRACE_ID))
            .isEqualTo(inner.span().getSpanContext().getTraceId());
      }
      assertThat(MDC.get(SpanScope.TRACE_ID)).isNull();
    }
  }
}
