package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The condition types and reasons a TracingPolicy reports, and how one condition is set (the status
 * aggregator decides which).
 */
public final class PolicyConditions {
  public static final String READY = "Ready";
  public static final String BACKEND_READY = "BackendReady";
  public static final String CONFLICT = "Conflict";
  public static final String ROLLOUT_PROGRESSING = "RolloutProgressing";
  public static final String DEGRADED = "Degraded";
  public static final String WEBHOOK_READY = "WebhookReady";

  public static final String REASON_RECONCILED = "Reconciled";
  public static final String REASON_TEMPO_READY = "TempoReady";
  public static final String REASON_TEMPO_STARTING = "TempoStarting";
  public static final String REASON_GATEWAY_STARTING = "GatewayStarting";
  public static final String REASON_EXTERNAL_ENDPOINT = "ExternalEndpoint";
  public static final String REASON_RECONCILE_ERROR = "ReconcileError";

  /** Ready's reason while the API server does not call the webhook for the policy's pods yet. */
  public static final String REASON_WEBHOOK_PENDING = "WebhookPending";

  private PolicyConditions() {}

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /**
   * Returns the conditions with {@code type} set; its lastTransitionTime moves only when the status
   * changes, so an unchanged condition compares equal across reconciles.
   */
  public static List<Condition> set(
      List<Condition> current,
      String type,
      boolean status,
      String reason,
      String message,
      Long generation) {
    String statusText = status ? "True" : "False";
    Optional<Condition> previous = find(current, type);
    String transition =
        previous
            .filter(p -> statusText.equals(p.getStatus()))
            .map(Condition::getLastTransitionTime)
            .orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    Condition next =
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (type.equals(c.getType())) {
        result.add(next);
        replaced = true;
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(next);
    }
    return result;
  }
}
