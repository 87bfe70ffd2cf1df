package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log line and an Event whenever Ready changes its status or reason: Normal when it becomes True,
 * Warning when False, except for the expected wait while Tempo or the gateway starts.
 */
final class ReadyTransition {
  private static final Logger LOG = LoggerFactory.getLogger(ReadyTransition.class);

  private ReadyTransition() {}

  static void report(TracingPolicy policy, TracingPolicyStatus status, EventRecorder events) {
    Optional<Condition> before =
        policy.getStatus() == null
            ? Optional.empty()
            : PolicyConditions.find(policy.getStatus().getConditions(), PolicyConditions.READY);
    Condition after =
        PolicyConditions.find(status.getConditions(), PolicyConditions.READY).orElseThrow();
    boolean changed =
        before.isEmpty()
            || !before.get().getStatus().equals(after.getStatus())
            || !before.get().getReason().equals(after.getReason());
    if (!changed) {
      return;
    }
    LOG.info(
        "policy {}/{} Ready={} reason={} message={}",
        policy.getMetadata().getNamespace(),
        policy.getMetadata().getName(),
        after.getStatus(),
        after.getReason(),
        after.getMessage());
    if ("True".equals(after.getStatus())) {
      events.normal(policy, after.getReason(), after.getMessage());
    } else if (!PolicyConditions.REASON_TEMPO_STARTING.equals(after.getReason())
        && !PolicyConditions.REASON_GATEWAY_STARTING.equals(after.getReason())) {
      events.warning(policy, after.getReason(), after.getMessage());
    }
  }
}
