package io.traceroll.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What reconciles leave in the operator's metrics and self-traces. */
class ReconcileTelemetryTest extends ReconcilerTestBase {

  @Test
  void reconcilesAndRolloutProgressShowInMetricsAndADeletedPolicysSeriesGo() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));
    awaitReady("to-collector", "True", "Reconciled");
    await().until(() -> get("to-collector").getStatus().getRollout() != null);

    String rollout = "traceroll_rollout_workloads{phase=\"instrumented\",policy=\"to-collector\"";
    String scrape = await().until(cluster.registry::scrape, text -> text.contains(rollout));
    assertThat(scrape)
        .contains("traceroll_rollout_governed_workloads{policy=\"to-collector\"")
        .contains("policy_namespace=\"" + NS + "\"")
        // JOSDK's reconcile timer, with buckets sized for reconciles
        .contains("operator_sdk_controllers_execution_reconcile_seconds_bucket{")
        .contains("le=\"0.005\"")
        .contains("le=\"30.0\"")
        .contains("operator_sdk_controllers_execution_reconcile_success_total{")
        .contains("operator_sdk_reconciliations_started_total{");
    assertThat(
            scrape
                .lines()
                .filter(
                    l ->
                        l.startsWith("operator_sdk_controllers_execution_reconcile_seconds_bucket"))
                .count())
        .isEqualTo(13);

    cluster.client.resource(get("to-collector")).delete();
    await().until(() -> get("to-collector") == null);
    await().until(() -> !cluster.registry.scrape().contains("policy=\"to-collector\""));
  }

  @Test
  void eachReconcileAndCleanupIsASpanNamingThePolicyAndWhatItCameTo() throws IOException {
    create(sample("tracingpolicy-otlp.yaml"));
    awaitReady("to-collector", "True", "Reconciled");

    var reconciled =
        await()
            .until(
                () ->
                    traces.spans("reconcile").stream()
                        .filter(s -> "Reconciled".equals(outcome(s)))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(reconciled.getAttributes().asMap())
        .containsEntry(AttributeKey.stringKey("traceroll.policy.namespace"), NS)
        .containsEntry(AttributeKey.stringKey("traceroll.policy.name"), "to-collector");

    cluster.client.resource(get("to-collector")).delete();
    await()
        .until(() -> traces.spans("cleanup").stream().anyMatch(s -> "Deleted".equals(outcome(s))));
  }

  static String outcome(SpanData span) {
    return span.getAttributes().get(AttributeKey.stringKey("traceroll.reconcile.outcome"));
  }
}
