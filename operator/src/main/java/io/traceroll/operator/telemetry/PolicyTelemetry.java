package io.traceroll.operator.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import org.slf4j.MDC;

/**
 * What the reconciler reports about each policy: a span per reconcile or cleanup with its outcome,
 * the policy in the MDC of every log line written meanwhile, and its rollout progress as gauges.
 */
public final class PolicyTelemetry {
  /** MDC keys naming the policy being reconciled. */
  public static final String POLICY_NAMESPACE = "policy_namespace";

  public static final String POLICY_NAME = "policy_name";

  static final AttributeKey<String> NAMESPACE_ATTRIBUTE =
      AttributeKey.stringKey("traceroll.policy.namespace");
  static final AttributeKey<String> NAME_ATTRIBUTE =
      AttributeKey.stringKey("traceroll.policy.name");
  static final AttributeKey<Long> GENERATION_ATTRIBUTE =
      AttributeKey.longKey("traceroll.policy.generation");
  static final AttributeKey<String> OUTCOME_ATTRIBUTE =
      AttributeKey.stringKey("traceroll.reconcile.outcome");

  /** The outcome of a cleanup that released the policy, and of a reconcile that threw. */
  public static final String DELETED = "Deleted";

  public static final String FAILED = "ReconcileError";

  private final RolloutMetrics rollout;
  private final SelfTracing tracing;

  public PolicyTelemetry(RolloutMetrics rollout, SelfTracing tracing) {
    this.rollout = rollout;
    this.tracing = tracing;
  }

  /** Begins one reconcile (or cleanup) of a policy, on this thread, until the work is closed. */
  public Work start(String operation, TracingPolicy policy) {
    String namespace = policy.getMetadata().getNamespace();
    String name = policy.getMetadata().getName();
    MDC.put(POLICY_NAMESPACE, namespace);
    MDC.put(POLICY_NAME, name);
    SpanScope scope = tracing.start(operation, SpanKind.INTERNAL);
    Span span = scope.span();
    span.setAttribute(NAMESPACE_ATTRIBUTE, namespace);
    span.setAttribute(NAME_ATTRIBUTE, name);
    if (policy.getMetadata().getGeneration() != null) {
      span.setAttribute(GENERATION_ATTRIBUTE, policy.getMetadata().getGeneration());
    }
    return new Work(policy, scope);
  }

  /** One reconcile or cleanup of one policy. */
  public final class Work implements AutoCloseable {
    private final TracingPolicy policy;
    private final SpanScope scope;

    private Work(TracingPolicy policy, SpanScope scope) {
      this.policy = policy;
      this.scope = scope;
    }

    /** The status this step computed, and what it came to (e.g. the Ready reason). */
    public void reported(TracingPolicyStatus status, String outcome) {
      scope.span().setAttribute(OUTCOME_ATTRIBUTE, outcome);
      rollout.record(
          policy.getMetadata().getNamespace(), policy.getMetadata().getName(), status.getRollout());
    }

    /** The policy is gone (its finalizer released): its series go too. */
    public void deleted() {
      scope.span().setAttribute(OUTCOME_ATTRIBUTE, DELETED);
      rollout.remove(policy.getMetadata().getNamespace(), policy.getMetadata().getName());
    }

    /** The step threw; JOSDK retries it. */
    public void failed(Exception e) {
      Span span = scope.span();
      span.setAttribute(OUTCOME_ATTRIBUTE, FAILED);
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
    }

    @Override
    public void close() {
      scope.close();
      MDC.remove(POLICY_NAMESPACE);
      MDC.remove(POLICY_NAME);
    }
  }
}
