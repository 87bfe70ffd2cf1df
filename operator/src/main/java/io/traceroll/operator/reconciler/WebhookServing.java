package io.traceroll.operator.reconciler;

import io.traceroll.api.v1alpha1.TracingPolicy;
import java.time.Duration;
import java.util.List;

/**
 * Whether the API server calls the admission webhook for a policy's pods (its WebhookReady); {@code
 * Ready} and the rollout's restarts wait for it, or new pods would come up without the agent.
 */
@FunctionalInterface
public interface WebhookServing {
  /** Asked on each reconcile that reaches the webhook stage, with the namespaces it governs. */
  Verdict check(TracingPolicy policy, List<String> governedNamespaces);

  /** The policy is being deleted: whatever was learnt about it can go. */
  default void forget(TracingPolicy policy) {}

  /**
   * Serving or not, with the condition's reason and message, and when not serving how soon to ask
   * again.
   */
  record Verdict(boolean serving, String reason, String message, Duration askAgainAfter) {
    public Verdict(boolean serving, String reason, String message) {
      this(serving, reason, message, Duration.ofSeconds(1));
    }
  }

  /** For a webhook nobody needs to wait for (disabled, or a test without one). */
  Verdict ASSUMED =
      new Verdict(
          true, "Registered", "the admission webhook injects pods of the governed namespaces");
}
