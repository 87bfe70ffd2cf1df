package io.traceroll.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.images.ImageProber;
import io.traceroll.operator.reconciler.TracingPolicyReconciler;
import io.traceroll.operator.reconciler.WebhookServing;
import io.traceroll.operator.rollout.ClusterWorkloads;
import io.traceroll.operator.rollout.PodAdmission;
import io.traceroll.operator.runtime.Leadership;
import io.traceroll.operator.telemetry.PolicyTelemetry;
import io.traceroll.operator.telemetry.RolloutMetrics;
import io.traceroll.operator.telemetry.SelfTracing;
import io.traceroll.policy.NamespaceSelection;
import java.time.Clock;
import java.util.function.Consumer;

/** Wires the reconcilers into a JOSDK Operator; used by {@link Main} and by tests. */
public final class TracerollOperator {
  /**
   * Policies reconciled at once, and dependents of one policy reconciled at once. A reconcile is a
   * handful of API calls; a cluster has few policies.
   */
  static final int RECONCILE_THREADS = 4;

  private TracerollOperator() {}

  /**
   * @param admission asked before each instrumenting restart ({@link DryRunAdmission} in a cluster)
   * @param overrides extra settings (tests turn server-side apply off for the mock server)
   */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry registry,
      SelfTracing tracing,
      Leadership leadership,
      ClusterView cluster,
      WebhookServing webhook,
      PodAdmission admission,
      Consumer<ConfigurationServiceOverrider> overrides) {
    Operator operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  // JOSDK's default of 50 each: fixed pools add a thread per task until full and
                  // never shrink, so an operator that had reconciled 50 times kept 100 threads.
                  .withConcurrentReconciliationThreads(RECONCILE_THREADS)
                  .withConcurrentWorkflowExecutorThreads(RECONCILE_THREADS)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        Leadership.LEASE_NAME,
                        config.namespace(),
                        Leadership.LEASE_DURATION,
                        Leadership.RENEW_DEADLINE,
                        Leadership.RETRY_PERIOD,
                        leadership.identity(),
                        new LeaderCallbacks(
                            leadership::startLeading, leadership::stopLeading, leader -> {}),
                        // JOSDK would call System.exit from inside our shutdown hook, which
                        // blocks forever; Leadership exits on a real loss instead.
                        false));
              }
              overrides.accept(o);
            });
    if (!config.leaderElection()) {
      leadership.startLeading();
    }
    leadership.whenLeading(cluster::startRollout);
    ImageProber prober = new ImageProber(client, cluster, registry, Clock.systemUTC());
    leadership.whenLeading(prober::start);
    operator.register(
        new TracingPolicyReconciler(
            cluster,
            new ClusterWorkloads(client, cluster, admission, prober::request),
            new NamespaceSelection(config.namespace()),
            config.recheckInterval(),
            webhook,
            config.sampling().serviceHost(),
            new PolicyTelemetry(new RolloutMetrics(registry), tracing)),
        c -> {
          if (!config.watchNamespaces().isEmpty()) {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
    return operator;
  }
}
