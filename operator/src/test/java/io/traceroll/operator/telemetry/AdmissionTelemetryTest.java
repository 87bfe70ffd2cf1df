package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.AdmissionHandler.Outcome;
import io.traceroll.webhook.PolicyResolver;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class AdmissionTelemetryTest {
  final PrometheusMeterRegistry registry = OperatorMetrics.create();
  final AdmissionTelemetry telemetry = new AdmissionTelemetry(registry, SelfTracing.off());

  @Test
  void countsAdmissionsByResultWithEveryResultPresentFromTheStart() {
    Scrape before = Scrape.of(registry.scrape());
    for (String result :
        new String[] {"injected", "unchanged", "skipped", "failed_open", "bad_request"}) {
      assertThat(before.value("traceroll_admissions_total", "result=\"" + result + "\"")).isZero();
    }
    assertThat(before.help("traceroll_admissions_total")).contains("failed_open");

    telemetry.admitted("shop", Outcome.INJECTED, 80_000);
    telemetry.admitted("shop", Outcome.INJECTED, 90_000);
    telemetry.admitted("shop", Outcome.FAILED_OPEN, 90_000);
    telemetry.admitted(null, Outcome.BAD_REQUEST, 10_000);

    Scrape after = Scrape.of(registry.scrape());
    assertThat(after.value("traceroll_admissions_total", "result=\"injected\"")).isEqualTo(2);
    assertThat(after.value("traceroll_admissions_total", "result=\"failed_open\"")).isEqualTo(1);
    assertThat(after.value("traceroll_admissions_total", "result=\"bad_request\"")).isEqualTo(1);
    assertThat(after.value("traceroll_admissions_total", "result=\"skipped\"")).isZero();
  }

  @Test
  void latencyIsAHistogramInSecondsResolvingSubMillisecondAnswersUpToThreeSeconds() {
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.MICROSECONDS.toNanos(60));
    telemetry.admitted("shop", Outcome.SKIPPED, TimeUnit.MICROSECONDS.toNanos(300));
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.MILLISECONDS.toNanos(2));
    telemetry.admitted("shop", Outcome.INJECTED, TimeUnit.SECONDS.toNanos(5));

    Scrape scrape = Scrape.of(registry.scrape());
    String bucket = "traceroll_admission_duration_seconds_bucket";
    assertThat(scrape.value(bucket, "le=\"1.0E-4\"")).isEqualTo(1);
    assertThat(scrape.value(bucket, "le=\"5.0E-4\"")).isEqualTo(2);
    assertThat(scrape.value(bucket, "le=\"0.0025\"")).isEqualTo(3);
    assertThat(scrape.value(bucket, "le=\"3.0\"")).isEqualTo(3);
    assertThat(scrape.value(bucket, "le=\"+Inf\"")).isEqualTo(4);
    assertThat(scrape.value("traceroll_admission_duration_seconds_count")).isEqualTo(4);
    assertThat(scrape.value("traceroll_admission_duration_seconds_sum"))
        .isCloseTo(5.00236, within());
    assertThat(scrape.series().keySet().stream().filter(s -> s.startsWith(bucket)))
        .hasSize(AdmissionTelemetry.BUCKETS.length + 1);
  }

  @Test
  void withTracingOnEachAdmissionIsASpanWithItsNamespaceAndResult() throws Exception {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      AdmissionHandler handler =
          new AdmissionHandler(resolver(), new AdmissionTelemetry(registry, memory.tracing));

      handler.handle(review("shop"));
      handler.handle(review("plain"));
      handler.handle("{not json".getBytes(StandardCharsets.UTF_8));

      List<SpanData> spans = memory.spans(AdmissionTelemetry.SPAN_NAME);
      assertThat(spans)
          .hasSize(3)
          .allSatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.SERVER));
      assertThat(spans.get(0).getAttributes().asMap())
          .containsEntry(AttributeKey.stringKey("k8s.namespace.name"), "shop")
          .containsEntry(AttributeKey.stringKey("traceroll.admission.result"), "injected")
          .containsEntry(AttributeKey.booleanKey("traceroll.admission.injected"), true);
      assertThat(spans.get(1).getAttributes().asMap())
          .containsEntry(AttributeKey.stringKey("k8s.namespace.name"), "plain")
          .containsEntry(AttributeKey.stringKey("traceroll.admission.result"), "skipped")
          .containsEntry(AttributeKey.booleanKey("traceroll.admission.injected"), false);
      assertThat(spans.get(2).getAttributes().asMap())
          .containsEntry(AttributeKey.stringKey("traceroll.admission.result"), "bad_request")
          .doesNotContainKey(AttributeKey.stringKey("k8s.namespace.name"));
      assertThat(spans.get(2).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(spans.stream().map(s -> s.getTraceId()).distinct()).hasSize(3);
    }
  }

  @Test
  void withTracingOffAnAdmissionOpensNoSpanAndPutsNothingInTheMdc() throws Exception {
    AdmissionTelemetry off = new AdmissionTelemetry(registry, SelfTracing.off());
    assertThat(off.started()).isSameAs(AdmissionHandler.Scope.NONE);

    List<String> seen = new ArrayList<>();
    AdmissionHandler handler =
        new AdmissionHandler(
            resolver(),
            new AdmissionHandler.Listener() {
              @Override
              public AdmissionHandler.Scope started() {
                return off.started();
              }

              @Override
              public void admitted(String namespace, Outcome outcome, long nanos) {
                off.admitted(namespace, outcome, nanos);
                seen.add(
                    Span.current().getSpanContext().isValid() + " " + MDC.get(SpanScope.TRACE_ID));
              }
            });
    handler.handle(review("shop"));
    assertThat(seen).containsExactly("false null");
    assertThat(Scrape.of(registry.scrape()).value(ADMISSIONS, "result=\"injected\"")).isEqualTo(1);
  }

  static final String ADMISSIONS = "traceroll_admissions_total";

  static PolicyResolver resolver() throws Exception {
    TracingPolicy policy;
    try (InputStream in = Files.newInputStream(Path.of("../examples/tracingpolicy-otlp.yaml"))) {
      policy = Serialization.unmarshal(in, TracingPolicy.class);
    }
    Map<String, Namespace> namespaces =
        Map.of(
            "shop", TestPolicies.namespace("shop", Map.of("traceroll.io/inject", "enabled")),
            "plain", TestPolicies.namespace("plain", Map.of()));
    return new PolicyResolver(
        () -> List.of(policy), namespaces::get, new NamespaceSelection("traceroll-system"));
  }

  static byte[] review(String namespace) {
    return ("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'u1',"
            + "'kind':{'group':'','version':'v1','kind':'Pod'},'operation':'CREATE','namespace':'"
            + namespace
            + "','object':{'apiVersion':'v1','kind':'Pod','metadata':{'name':'app-1','namespace':'"
            + namespace
            + "'},'spec':{'containers':[{'name':'app','image':'shop/java-app:1'}]}}}}")
        .replace('\'', '"')
        .getBytes(StandardCharsets.UTF_8);
  }

  static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
