package io.traceroll.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator against the cluster of the current KUBECONFIG (or in-cluster config). */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);

    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = TracerollOperator.create(client, config, registry, o -> {});
    HealthServer health =
        new HealthServer(
            config.healthPort(),
            () ->
                operator.getRuntimeInfo().isStarted()
                    && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
            registry);
    health.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down");
                  health.close();
                  operator.stop();
                  client.close();
                },
                "shutdown"));
    LOG.info(
        "starting Traceroll operator against {} (namespace {}, leader election {}, health port {})",
        client.getMasterUrl(),
        config.namespace(),
        config.leaderElection(),
        health.port());
    operator.start();
  }
}
