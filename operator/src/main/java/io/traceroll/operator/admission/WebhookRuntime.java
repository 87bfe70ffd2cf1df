package io.traceroll.operator.admission;

import io.micrometer.core.instrument.MeterRegistry;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.telemetry.AdmissionTelemetry;
import io.traceroll.operator.telemetry.CertificateExpiry;
import io.traceroll.operator.telemetry.SelfTracing;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.AdmissionServer;
import io.traceroll.webhook.AdmissionWarmup;
import io.traceroll.webhook.PolicyResolver;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the webhook needs at run time, on every replica: the HTTPS server answering from the
 * {@link ClusterView}'s caches (the admission path makes no API call) with a hot-reloaded
 * certificate, and, on the leader, the webhook configuration kept current.
 */
public final class WebhookRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRuntime.class);
  static final Duration CERT_CHECK_INTERVAL = Duration.ofHours(1);

  private final WebhookContext webhook;
  private final WebhookConfig config;
  private final ClusterView cluster;
  private final ReloadingKeyManager keys = new ReloadingKeyManager();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "webhook-sync");
            t.setDaemon(true);
            return t;
          });
  private ServingCertificate certificate;
  private CoalescedRun sync;
  private AdmissionServer server;

  public WebhookRuntime(WebhookContext webhook, ClusterView cluster) {
    this.webhook = webhook;
    this.config = webhook.config();
    this.cluster = cluster;
  }

  public void start(MeterRegistry registry, SelfTracing tracing) throws Exception {
    PolicyResolver resolver =
        new PolicyResolver(
            cluster::policies,
            cluster::namespace,
            new NamespaceSelection(webhook.operatorNamespace()),
            cluster::imageVerdicts);
    server =
        new AdmissionServer(
            new InetSocketAddress(config.bindAddress(), config.port()),
            keys,
            new AdmissionHandler(resolver, new AdmissionTelemetry(registry, tracing)),
            Math.max(2, Runtime.getRuntime().availableProcessors()));
    CertificateExpiry.register(registry, keys::certificate, Clock.systemUTC());
    certificate = new ServingCertificate(webhook, keys, this::requestSync);
    var configuration = new WebhookConfigurationSync(webhook, cluster, certificate, scheduler);
    // Bursts of changes (a policy applied with its namespace labels) make one write, shortly after.
    sync = new CoalescedRun(scheduler, Duration.ofMillis(500), configuration);
    certificate.start(scheduler);
    server.start();
    AdmissionWarmup.startInBackground();
    cluster.onPolicyChange(this::requestSync);
    webhook.leadership().whenLeading(() -> scheduler.execute(configuration));
    scheduler.scheduleAtFixedRate(
        configuration,
        CERT_CHECK_INTERVAL.toMinutes(),
        CERT_CHECK_INTERVAL.toMinutes(),
        TimeUnit.MINUTES);
    LOG.info(
        "admission webhook serving on https://{}:{}{}",
        config.bindAddress(),
        server.port(),
        AdmissionServer.MUTATE_PATH);
  }

  /** True once the policy and namespace caches are synced and a certificate is loaded. */
  public boolean isReady() {
    return certificate != null && certificate.isReady() && cluster.admissionSynced();
  }

  private void requestSync() {
    sync.request();
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (server != null) {
      server.close();
    }
    if (certificate != null) {
      certificate.close();
    }
  }
}
