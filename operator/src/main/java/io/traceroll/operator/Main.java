package io.traceroll.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traceroll.operator.admission.WebhookConfig;
import io.traceroll.operator.admission.WebhookContext;
import io.traceroll.operator.admission.WebhookProbe;
import io.traceroll.operator.admission.WebhookRuntime;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.rollout.DryRunAdmission;
import io.traceroll.operator.runtime.Leadership;
import io.traceroll.operator.sampling.AgentContact;
import io.traceroll.operator.sampling.SamplingServer;
import io.traceroll.operator.sampling.SamplingStore;
import io.traceroll.operator.telemetry.OperatorMetrics;
import io.traceroll.operator.telemetry.SelfTracing;
import io.traceroll.webhook.AdmissionServer;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator against the cluster of the current KUBECONFIG (or in-cluster config). */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String JOSDK_MDC = "JAVA_OPERATOR_SDK_USE_MDC";

  private Main() {}

  public static void main(String[] args) throws Exception {
    AdmissionServer.preload();
    // Before any JDK HTTP server class loads (health, sampling over HTTP): without it a response
    // written as headers then body waits for the client's delayed ACK, ~40 ms a round trip.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    // Before JOSDK loads: its MDC would add seven resource.* fields to every line logged during a
    // reconcile; PolicyTelemetry puts the policy's namespace and name there instead.
    if (System.getProperty(JOSDK_MDC) == null) {
      System.setProperty(JOSDK_MDC, "false");
    }
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    PrometheusMeterRegistry registry = OperatorMetrics.create();
    SelfTracing tracing = SelfTracing.fromEnvironment(System.getenv());

    KubernetesClient client = new KubernetesClientBuilder().build();
    Leadership leadership =
        new Leadership(
            () -> {
              LOG.error("lost the leader Lease; exiting so that a restart rejoins the election");
              System.exit(1);
            });
    // Every replica answers admissions from these caches; the leader adds the rollout's.
    ClusterView cluster = new ClusterView(client, config.namespace());
    cluster.startAdmission();
    WebhookConfig webhookConfig = WebhookConfig.fromEnvironment(System.getenv());
    // Before the controller is built (about a second of class loading): admissions need only the
    // caches above and the certificate.
    WebhookRuntime webhook =
        new WebhookRuntime(
            new WebhookContext(client, webhookConfig, config.namespace(), leadership), cluster);
    if (webhookConfig.enabled()) {
      webhook.start(registry, tracing);
    }
    Operator operator =
        TracerollOperator.create(
            client,
            config,
            registry,
            tracing,
            leadership,
            cluster,
            new WebhookProbe(client, webhookConfig),
            new DryRunAdmission(client),
            o -> {});
    // Every replica serves sampling too: agents poll whichever replica the Service picks.
    SamplingStore strategies = new SamplingStore(config.sampling().serviceHost());
    strategies.watch(client, config.watchNamespaces());
    // Pending pods are read lean, with the client the rollout's caches use (made here, after the
    // webhook listens: building it is not on the way to the first admission).
    AgentContact agents = new AgentContact(client, cluster.reads()).watch(config.watchNamespaces());
    SamplingServer sampling =
        new SamplingServer(
            strategies,
            new InetSocketAddress(config.sampling().grpcPort()),
            new InetSocketAddress(config.sampling().httpPort()),
            registry,
            agents);
    sampling.start();
    // Every replica serves admissions, so readiness does not wait for leadership; it waits for
    // the end of start-up, whose burst of informer starts delays the admission caches' events by
    // more than the resolver waits for a namespace it has not seen (pods of a namespace created a
    // moment before would go uninjected).
    AtomicBoolean started = new AtomicBoolean();
    HealthServer health =
        new HealthServer(
            config.healthPort(),
            () ->
                started.get()
                    && (!webhookConfig.enabled() || webhook.isReady())
                    && strategies.hasSynced(),
            registry);
    health.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("shutting down");
                  leadership.shuttingDown();
                  health.close();
                  webhook.close();
                  sampling.close();
                  agents.close();
                  strategies.close();
                  operator.stop();
                  if (config.leaderElection()) {
                    leadership.release(client, config.namespace());
                  }
                  cluster.close();
                  client.close();
                  tracing.close();
                },
                "shutdown"));
    LOG.info(
        "starting Traceroll operator against {} (namespace {}, leader election {}, health port {},"
            + " sampling ports {}/{})",
        client.getMasterUrl(),
        config.namespace(),
        config.leaderElection(),
        health.port(),
        sampling.grpcPort(),
        sampling.httpPort());
    operator.start();
    started.set(true);
  }
}
