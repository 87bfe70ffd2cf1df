package io.traceroll.operator.rollout;

import io.traceroll.api.v1alpha1.RolloutStatus;
import java.util.List;

/**
 * What a rollout step came to: the status to publish, whether workloads are still moving (pending
 * or restarting), whether too many failed (Degraded), and the Events to record.
 */
public record RolloutOutcome(
    RolloutStatus status, boolean active, boolean degraded, List<Event> events) {

  /** An Event to record on the policy. */
  public record Event(String type, String reason, String message) {
    static Event warning(String reason, String message) {
      return new Event("Warning", reason, message);
    }
  }
}
