package io.traceroll.e2e.traces;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceroll.e2e.traces.JaegerTrace.Span;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Reading the Jaeger query API's trace JSON, on a fixture shaped like a real response. */
class JaegerTraceTest {

  @Test
  void resolvesEachSpansServiceKindParentAndResourceAttributes() throws Exception {
    JaegerTrace trace;
    try (InputStream in = getClass().getResourceAsStream("/traces/jaeger-trace.json")) {
      trace = JaegerTrace.fromJson(new ObjectMapper().readTree(in));
    }

    Span hello = trace.span("callee", "server").orElseThrow();
    Span call = trace.span("caller", "client").orElseThrow();
    assertThat(trace.traceId()).isEqualTo("c870bdc9d240ebb06b9620d95846d596");
    assertThat(trace.services()).containsExactly("callee", "caller");
    assertThat(hello.operationName()).isEqualTo("GET /hello");
    assertThat(hello.isChildOf(call)).isTrue();
    assertThat(call.parentSpanId()).isNull();
    assertThat(hello.tags()).containsEntry("http.response.status_code", "200");
    assertThat(hello.processTags()).containsEntry("k8s.namespace.name", "shop");
  }
}
