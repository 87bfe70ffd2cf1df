package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.traceroll.operator.runtime.InformerHandlers;
import io.traceroll.webhook.tls.CertificateAuthority;
import io.traceroll.webhook.tls.ReloadingKeyManager;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate the admission server presents, per mode: OLM's mounted files (re-read every 30
 * s), or the Secret that the leader issues (self) or cert-manager writes, watched by name and
 * loaded on every change without a restart. Also keeps the CA bundle the webhook configuration
 * carries in self mode.
 */
final class ServingCertificate implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServingCertificate.class);

  private final WebhookContext webhook;
  private final WebhookConfig config;
  private final ReloadingKeyManager keys;
  private final AtomicReference<String> caBundle = new AtomicReference<>();
  private final Runnable changed;
  private WebhookCertificates certificates;
  private SharedIndexInformer<Secret> secret;

  /**
   * @param changed runs when the certificate or CA changes (the webhook configuration follows)
   */
  ServingCertificate(WebhookContext webhook, ReloadingKeyManager keys, Runnable changed) {
    this.webhook = webhook;
    this.config = webhook.config();
    this.keys = keys;
    this.changed = changed;
  }

  void start(ScheduledExecutorService scheduler) throws Exception {
    if (config.certMode() == WebhookConfig.CertMode.OLM) {
      loadFromFiles();
      scheduler.scheduleWithFixedDelay(this::loadFromFilesQuietly, 30, 30, TimeUnit.SECONDS);
      return;
    }
    List<String> ips = new ArrayList<>();
    List<String> dns =
        new ArrayList<>(
            WebhookCertificates.serviceNames(config.serviceName(), webhook.operatorNamespace()));
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
            webhook.client(),
            webhook.operatorNamespace(),
            config.secretName(),
            dns,
            ips,
            Clock.systemUTC());
    if (config.certMode() == WebhookConfig.CertMode.SELF && webhook.leadership().isLeader()) {
      apply(certificates.ensure());
    }
    secret =
        webhook
            .client()
            .secrets()
            .inNamespace(webhook.operatorNamespace())
            .withName(config.secretName())
            .inform(InformerHandlers.of(this::apply, deleted -> changed.run()));
  }

  /** A certificate is loaded and, with a Secret, its cache has synced. */
  boolean isReady() {
    return keys.certificate() != null && (secret == null || secret.hasSynced());
  }

  /** The CA bundle for the webhook configuration (self mode), or null. */
  String caBundle() {
    return caBundle.get();
  }

  /** Leader, self mode: issues or rotates the certificate when due. */
  void renewIfDue() {
    if (certificates != null && config.certMode() == WebhookConfig.CertMode.SELF) {
      Secret issued = certificates.ensure();
      if (caBundle.get() == null) {
        caBundle.set(WebhookCertificates.load(issued, keys));
      }
    }
  }

  private void apply(Secret s) {
    try {
      caBundle.set(WebhookCertificates.load(s, keys));
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot load webhook certificate from Secret {}: {}",
          config.secretName(),
          e.getMessage());
    }
    changed.run();
  }

  private void loadFromFiles() throws Exception {
    String cert = Files.readString(config.certDir().resolve("tls.crt"));
    String key = Files.readString(config.certDir().resolve("tls.key"));
    keys.load(
        CertificateAuthority.readCertificates(cert).toArray(X509Certificate[]::new),
        CertificateAuthority.readKey(key));
  }

  private void loadFromFilesQuietly() {
    try {
      loadFromFiles();
    } catch (Exception e) {
      LOG.warn("cannot reload webhook certificate from {}: {}", config.certDir(), e.getMessage());
    }
  }

  @Override
  public void close() {
    if (secret != null) {
      secret.close();
    }
  }
}
