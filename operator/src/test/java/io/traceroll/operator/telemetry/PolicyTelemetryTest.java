package io.traceroll.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class PolicyTelemetryTest {
  final RolloutMetrics rollout = new RolloutMetrics(OperatorMetrics.create());

  @Test
  void aReconcileIsASpanNamingThePolicyAndItsOutcomeWithThePolicyInTheMdc() {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      PolicyTelemetry telemetry = new PolicyTelemetry(rollout, memory.tracing);
      String traceId;
      try (PolicyTelemetry.Work work = telemetry.start("reconcile", policy())) {
        assertThat(MDC.get(PolicyTelemetry.POLICY_NAMESPACE)).isEqualTo("observability");
        assertThat(MDC.get(PolicyTelemetry.POLICY_NAME)).isEqualTo("default");
        traceId = MDC.get(SpanScope.TRACE_ID);
        work.reported(new TracingPolicyStatus(), "TempoStarting");
      }
      assertThat(MDC.get(PolicyTelemetry.POLICY_NAME)).isNull();
      assertThat(MDC.get(SpanScope.TRACE_ID)).isNull();

      SpanData span = memory.spans().get(0);
      assertThat(span.getName()).isEqualTo("reconcile");
      assertThat(span.getKind()).isEqualTo(SpanKind.INTERNAL);
      assertThat(span.getTraceId()).isEqualTo(traceId);
      assertThat(span.getAttributes().asMap())
          .containsEntry(AttributeKey.stringKey("traceroll.policy.namespace"), "observability")
          .containsEntry(AttributeKey.stringKey("traceroll.policy.name"), "default")
          .containsEntry(AttributeKey.longKey("traceroll.policy.generation"), 3L)
          .containsEntry(AttributeKey.stringKey("traceroll.reconcile.outcome"), "TempoStarting");
    }
  }

  @Test
  void aFailedReconcileRecordsTheErrorOnItsSpan() {
    try (InMemoryTracing memory = new InMemoryTracing()) {
      PolicyTelemetry telemetry = new PolicyTelemetry(rollout, memory.tracing);
      try (PolicyTelemetry.Work work = telemetry.start("reconcile", policy())) {
        work.failed(new IllegalStateException("API server gone"));
      }
      SpanData span = memory.spans().get(0);
      assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(span.getStatus().getDescription()).isEqualTo("API server gone");
      assertThat(span.getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
      assertThat(span.getAttributes().get(AttributeKey.stringKey("traceroll.reconcile.outcome")))
          .isEqualTo(PolicyTelemetry.FAILED);
    }
  }

  @Test
  void withTracingOffThePolicyStillReachesTheMdcButNoTraceIdDoes() {
    PolicyTelemetry telemetry = new PolicyTelemetry(rollout, SelfTracing.off());
    try (PolicyTelemetry.Work work = telemetry.start("reconcile", policy())) {
      assertThat(MDC.get(PolicyTelemetry.POLICY_NAME)).isEqualTo("default");
      assertThat(MDC.get(SpanScope.TRACE_ID)).isNull();
      work.reported(new TracingPolicyStatus(), "Reconciled");
    }
    assertThat(MDC.get(PolicyTelemetry.POLICY_NAME)).isNull();
  }

  static TracingPolicy policy() {
    TracingPolicy policy = new TracingPolicy();
    policy.getMetadata().setNamespace("observability");
    policy.getMetadata().setName("default");
    policy.getMetadata().setGeneration(3L);
    return policy;
  }
}
