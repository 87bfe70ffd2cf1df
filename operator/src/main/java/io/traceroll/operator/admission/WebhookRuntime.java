package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.runtime.Leadership;
import io.traceroll.operator.telemetry.AdmissionTelemetry;
import io.traceroll.operator.telemetry.CertificateExpiry;
import io.traceroll.operator.telemetry.SelfTracing;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.Naming;
import io.traceroll.webhook.AdmissionHandler;
import io.traceroll.webhook.AdmissionServer;
import io.traceroll.webhook.PolicyResolver;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the webhook needs at run time, on every replica: informer caches of policies and
 * namespaces (the admission path makes no API call), the HTTPS server with hot-reloaded TLS, and,
 * on the leader, the certificate Secret and the MutatingWebhookConfiguration kept current.
 */
public final class WebhookRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRuntime.class);
  static final Duration CERT_CHECK_INTERVAL = Duration.ofHours(1);

  private final KubernetesClient client;
  private final WebhookConfig config;
  private final String operatorNamespace;
  private final Leadership leadership;
  private final ReloadingKeyManager keys = new ReloadingKeyManager();
  private final AtomicReference<String> caBundle = new AtomicReference<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "webhook-sync");
            t.setDaemon(true);
            return t;
          });
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<TracingPolicy> policies;
  private AdmissionServer server;
  private WebhookCertificates certificates;
  private final CoalescedRun sync =
      new CoalescedRun(scheduler, Duration.ofMillis(500), this::leaderSync);

  public WebhookRuntime(
      KubernetesClient client,
      WebhookConfig config,
      String operatorNamespace,
      Leadership leadership) {
    this.client = client;
    this.config = config;
    this.operatorNamespace = operatorNamespace;
    this.leadership = leadership;
  }

  public void start(MeterRegistry registry, SelfTracing tracing) throws Exception {
    policies = client.resources(TracingPolicy.class).inAnyNamespace().inform(onAnyChange(), 0);
    SharedIndexInformer<Namespace> namespaces = client.namespaces().inform();
    informers.add(policies);
    informers.add(namespaces);
    PolicyResolver resolver =
        new PolicyResolver(
            policies.getStore()::list,
            name -> namespaces.getStore().getByKey(name),
            new NamespaceSelection(operatorNamespace));
    server =
        new AdmissionServer(
            new InetSocketAddress(config.bindAddress(), config.port()),
            keys,
            new AdmissionHandler(resolver, new AdmissionTelemetry(registry, tracing)),
            Math.max(2, Runtime.getRuntime().availableProcessors()));
    CertificateExpiry.register(registry, keys::certificate, Clock.systemUTC());
    loadCertificates();
    server.start();
    leadership.whenLeading(() -> scheduler.execute(this::leaderSync));
    scheduler.scheduleAtFixedRate(
        this::leaderSync,
        CERT_CHECK_INTERVAL.toMinutes(),
        CERT_CHECK_INTERVAL.toMinutes(),
        TimeUnit.MINUTES);
    LOG.info(
        "admission webhook serving on https://{}:{}{}",
        config.bindAddress(),
        server.port(),
        AdmissionServer.MUTATE_PATH);
  }

  /**
   * Whether the API server will call us for a policy's pods: its webhook is in the configuration
   * with a CA bundle (or OLM or a disabled webhook, where we cannot tell).
   */
  public static boolean registered(
      KubernetesClient client, WebhookConfig config, TracingPolicy policy) {
    if (!config.enabled() || config.certMode() == WebhookConfig.CertMode.OLM) {
      return true;
    }
    MutatingWebhookConfiguration mwc =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(WebhookConfig.CONFIGURATION_NAME)
            .get();
    return mwc != null
        && mwc.getWebhooks().stream()
            .anyMatch(
                w ->
                    w.getName().equals(Naming.webhook(policy))
                        && (config.certMode() == WebhookConfig.CertMode.CERT_MANAGER
                            || w.getClientConfig().getCaBundle() != null));
  }

  /** True once the caches are synced and a certificate is loaded. */
  public boolean isReady() {
    return keys.certificate() != null
        && informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  public int port() {
    return server.port();
  }

  private void loadCertificates() throws Exception {
    switch (config.certMode()) {
      case OLM -> {
        loadFromFiles();
        scheduler.scheduleWithFixedDelay(this::loadFromFilesQuietly, 30, 30, TimeUnit.SECONDS);
      }
      case SELF, CERT_MANAGER -> {
        List<String> ips = new ArrayList<>();
        List<String> dns =
            new ArrayList<>(
                WebhookCertificates.serviceNames(config.serviceName(), operatorNamespace));
        if (config.url() != null) {
          String host = config.url().getHost();
          if (host.matches("[0-9.]+") || host.contains(":")) {
            ips.add(host);
          } else {
            dns.add(host);
          }
        }
        certificates =
            new WebhookCertificates(
                client, operatorNamespace, config.secretName(), dns, ips, Clock.systemUTC());
        if (config.certMode() == WebhookConfig.CertMode.SELF && leadership.isLeader()) {
          apply(certificates.ensure());
        }
        SharedIndexInformer<Secret> secret =
            client
                .secrets()
                .inNamespace(operatorNamespace)
                .withName(config.secretName())
                .inform(
                    new ResourceEventHandler<>() {
                      @Override
                      public void onAdd(Secret s) {
                        apply(s);
                      }

                      @Override
                      public void onUpdate(Secret old, Secret s) {
                        apply(s);
                      }

                      @Override
                      public void onDelete(Secret s, boolean unknown) {
                        scheduleSync();
                      }
                    });
        informers.add(secret);
      }
    }
  }

  private void apply(Secret secret) {
    try {
      caBundle.set(WebhookCertificates.load(secret, keys));
      scheduleSync();
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot load webhook certificate from Secret {}: {}",
          config.secretName(),
          e.getMessage());
      scheduleSync();
    }
  }

  private void loadFromFiles() throws Exception {
    String cert = Files.readString(config.certDir().resolve("tls.crt"));
    String key = Files.readString(config.certDir().resolve("tls.key"));
    keys.load(
        CertificateAuthority.readCertificates(cert)
            .toArray(java.security.cert.X509Certificate[]::new),
        CertificateAuthority.readKey(key));
  }

  private void loadFromFilesQuietly() {
    try {
      loadFromFiles();
    } catch (Exception e) {
      LOG.warn("cannot reload webhook certificate from {}: {}", config.certDir(), e.getMessage());
    }
  }

  private ResourceEventHandler<TracingPolicy> onAnyChange() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(TracingPolicy p) {
        scheduleSync();
      }

      @Override
      public void onUpdate(TracingPolicy old, TracingPolicy p) {
        if (!java.util.Objects.equals(
            old.getMetadata().getGeneration(), p.getMetadata().getGeneration())) {
          scheduleSync();
        }
      }

      @Override
      public void onDelete(TracingPolicy p, boolean unknown) {
        scheduleSync();
      }
    };
  }

  /** Coalesces bursts of changes into one write, half a second later. */
  private void scheduleSync() {
    sync.request();
  }

  /** Leader only: rotate the certificate if due and write the webhook configuration. */
  private void leaderSync() {
    if (!leadership.isLeader() || policies == null || !policies.hasSynced()) {
      return;
    }
    try {
      if (certificates != null && config.certMode() == WebhookConfig.CertMode.SELF) {
        Secret secret = certificates.ensure();
        if (caBundle.get() == null) {
          caBundle.set(WebhookCertificates.load(secret, keys));
        }
      }
      if (config.certMode() == WebhookConfig.CertMode.OLM) {
        return; // OLM owns the webhook configuration
      }
      MutatingWebhookConfiguration desired =
          MutatingWebhookRenderer.render(
              policies.getStore().list(), config, operatorNamespace, caBundle.get());
      var configuration =
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName(WebhookConfig.CONFIGURATION_NAME);
      String removal = MutatingWebhookRenderer.staleWebhookRemoval(configuration.get(), desired);
      if (removal != null) {
        configuration.patch(PatchContext.of(PatchType.JSON), removal);
        LOG.info("removed webhooks of deleted policies: {}", removal);
      }
      MutatingWebhookConfiguration applied =
          client.resource(desired).fieldManager("traceroll").forceConflicts().serverSideApply();
      InstallOwnership.adopt(
          client,
          applied,
          operatorNamespace,
          config.certMode() == WebhookConfig.CertMode.SELF ? config.secretName() : null,
          Leadership.LEASE_NAME);
    } catch (RuntimeException e) {
      LOG.warn("webhook configuration sync failed, retrying: {}", e.getMessage());
      scheduler.schedule(this::leaderSync, 5, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (server != null) {
      server.close();
    }
    informers.forEach(SharedIndexInformer::close);
  }
}
