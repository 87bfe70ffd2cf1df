package io.traceroll.operator.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicyStatus;
import io.traceroll.operator.rollout.RolloutOutcome;
import io.traceroll.operator.telemetry.PolicyTelemetry;
import io.traceroll.policy.Naming;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the aggregator built: the status (patched only when it changed, on a fresh object
 * carrying identity and status alone), the Events, the telemetry of the reconcile, and when to come
 * back.
 */
final class StatusWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** A cleanup step's outcome while the agent is still being taken out of workloads. */
  static final String REMOVING_AGENT = "RemovingAgent";

  UpdateControl<TracingPolicy> finish(
      TracingPolicy policy,
      PolicyStatusAggregator aggregator,
      KubernetesClient client,
      PolicyTelemetry.Work work) {
    TracingPolicyStatus status = aggregator.build();
    EventRecorder events = new EventRecorder(client);
    ReadyTransition.report(policy, status, events);
    record(policy, aggregator, events);
    work.reported(status, aggregator.readyReason());
    UpdateControl<TracingPolicy> control =
        policy.getStatus() != null && JSON.asJson(policy.getStatus()).equals(JSON.asJson(status))
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(statusOnly(policy, status));
    aggregator.recheckAfter().ifPresent(after -> control.rescheduleAfter(after));
    return control;
  }

  /**
   * During cleanup JOSDK patches no status: the progress of the agent's removal is written here.
   */
  void removing(
      TracingPolicy policy,
      PolicyStatusAggregator aggregator,
      KubernetesClient client,
      PolicyTelemetry.Work work) {
    TracingPolicyStatus status = aggregator.build();
    record(policy, aggregator, new EventRecorder(client));
    work.reported(status, REMOVING_AGENT);
    client
        .resources(TracingPolicy.class)
        .inNamespace(policy.getMetadata().getNamespace())
        .withName(policy.getMetadata().getName())
        .patchStatus(statusOnly(policy, status));
  }

  /** The pods a deleted policy's agent stays in, as an Event (the policy itself goes). */
  void agentLeft(TracingPolicy policy, KubernetesClient client, String pods) {
    new EventRecorder(client)
        .warning(
            policy,
            "AgentLeftInPods",
            "no rollout restart takes the agent out of these; they keep it until they end or"
                + " restart: "
                + pods);
  }

  private static void record(
      TracingPolicy policy, PolicyStatusAggregator aggregator, EventRecorder events) {
    for (RolloutOutcome.Event e : aggregator.events()) {
      LOG.warn("policy {}: {} {}", Naming.policyId(policy), e.reason(), e.message());
      events.warning(policy, e.reason(), e.message());
    }
  }

  /** A fresh object carrying only identity and status, so the status patch touches nothing else. */
  static TracingPolicy statusOnly(TracingPolicy policy, TracingPolicyStatus status) {
    TracingPolicy fresh = new TracingPolicy();
    fresh.getMetadata().setName(policy.getMetadata().getName());
    fresh.getMetadata().setNamespace(policy.getMetadata().getNamespace());
    fresh.setSpec(null);
    fresh.setStatus(status);
    return fresh;
  }
}
