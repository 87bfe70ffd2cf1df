package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.runtime.Leadership;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader only: keeps the MutatingWebhookConfiguration to one webhook per policy (rotating the
 * self-managed certificate first when due), and adopts what the operator wrote into the install so
 * uninstalling removes it. Retries a failed write after five seconds.
 */
final class WebhookConfigurationSync implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookConfigurationSync.class);

  private final WebhookContext webhook;
  private final KubernetesClient client;
  private final WebhookConfig config;
  private final ClusterView cluster;
  private final ServingCertificate certificate;
  private final ScheduledExecutorService scheduler;

  WebhookConfigurationSync(
      WebhookContext webhook,
      ClusterView cluster,
      ServingCertificate certificate,
      ScheduledExecutorService scheduler) {
    this.webhook = webhook;
    this.client = webhook.client();
    this.config = webhook.config();
    this.cluster = cluster;
    this.certificate = certificate;
    this.scheduler = scheduler;
  }

  @Override
  public void run() {
    if (!webhook.leadership().isLeader() || !cluster.admissionSynced()) {
      return;
    }
    try {
      certificate.renewIfDue();
      if (config.certMode() == WebhookConfig.CertMode.OLM) {
        return; // OLM owns the webhook configuration
      }
      MutatingWebhookConfiguration desired =
          MutatingWebhookRenderer.render(
              cluster.policies(), config, webhook.operatorNamespace(), certificate.caBundle());
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
          webhook.operatorNamespace(),
          config.certMode() == WebhookConfig.CertMode.SELF ? config.secretName() : null,
          Leadership.LEASE_NAME);
    } catch (RuntimeException e) {
      LOG.warn("webhook configuration sync failed, retrying: {}", e.getMessage());
      scheduler.schedule(this, 5, TimeUnit.SECONDS);
    }
  }
}
