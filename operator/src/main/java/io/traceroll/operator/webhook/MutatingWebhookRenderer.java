package io.traceroll.operator.webhook;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.webhook.AdmissionServer;
import io.traceroll.webhook.PolicyPrecedence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The MutatingWebhookConfiguration: one webhook per policy, selecting that policy's namespaces
 * (never the operator's own nor kube-system) and no pod labelled traceroll.io/inject=false. Failure
 * policy Ignore: pod creation never waits on Traceroll being up.
 */
public final class MutatingWebhookRenderer {
  private MutatingWebhookRenderer() {}

  public static MutatingWebhookConfiguration render(
      Collection<TracingPolicy> policies,
      WebhookConfig config,
      String operatorNamespace,
      String caBundlePem) {
    List<MutatingWebhook> webhooks = new ArrayList<>();
    policies.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(Comparator.comparing(PolicyPrecedence::id))
        .forEach(p -> webhooks.add(webhook(p, config, operatorNamespace, caBundlePem)));
    var builder =
        new MutatingWebhookConfigurationBuilder()
            .withNewMetadata()
            // No labels: the install paths create the configuration with their own (Helm's
            // managed-by among them), and the operator applies only the webhooks.
            .withName(WebhookConfig.CONFIGURATION_NAME)
            .endMetadata()
            .withWebhooks(webhooks);
    if (config.certMode() == WebhookConfig.CertMode.CERT_MANAGER) {
      builder
          .editMetadata()
          .addToAnnotations(
              "cert-manager.io/inject-ca-from", operatorNamespace + "/" + config.secretName())
          .endMetadata();
    }
    return builder.build();
  }

  /** Webhook names must be unique and fully qualified. */
  public static String webhookName(TracingPolicy policy) {
    return policy.getMetadata().getName()
        + "."
        + policy.getMetadata().getNamespace()
        + ".pods.traceroll.io";
  }

  private static MutatingWebhook webhook(
      TracingPolicy policy, WebhookConfig config, String operatorNamespace, String caBundlePem) {
    return new MutatingWebhookBuilder()
        .withName(webhookName(policy))
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Ignore")
        .withReinvocationPolicy("IfNeeded")
        .withTimeoutSeconds(config.timeoutSeconds())
        .withMatchPolicy("Equivalent")
        .withClientConfig(clientConfig(config, operatorNamespace, caBundlePem))
        .addNewRule()
        .withApiGroups("")
        .withApiVersions("v1")
        .withOperations("CREATE")
        .withResources("pods")
        .withScope("Namespaced")
        .endRule()
        .withNamespaceSelector(namespaceSelector(policy, operatorNamespace))
        .withObjectSelector(
            new LabelSelectorBuilder()
                .addToMatchExpressions(
                    new LabelSelectorRequirementBuilder()
                        .withKey(Traceroll.INJECT_LABEL)
                        .withOperator("NotIn")
                        .withValues("false")
                        .build())
                .build())
        .build();
  }

  private static LabelSelector namespaceSelector(TracingPolicy policy, String operatorNamespace) {
    LabelSelector selected = policy.getSpec().getSelector().effectiveNamespaceSelector();
    return new LabelSelectorBuilder(selected)
        .addToMatchExpressions(
            new LabelSelectorRequirementBuilder()
                .withKey("kubernetes.io/metadata.name")
                .withOperator("NotIn")
                .withValues(operatorNamespace, "kube-system")
                .build())
        .build();
  }

  private static WebhookClientConfig clientConfig(
      WebhookConfig config, String operatorNamespace, String caBundlePem) {
    WebhookClientConfigBuilder client = new WebhookClientConfigBuilder();
    if (config.url() != null) {
      client.withUrl(config.url().toString());
    } else {
      client
          .withNewService()
          .withName(config.serviceName())
          .withNamespace(operatorNamespace)
          .withPath(AdmissionServer.MUTATE_PATH)
          .withPort(443)
          .endService();
    }
    if (caBundlePem != null && config.certMode() == WebhookConfig.CertMode.SELF) {
      client.withCaBundle(
          Base64.getEncoder().encodeToString(caBundlePem.getBytes(StandardCharsets.UTF_8)));
    }
    return client.build();
  }
}
