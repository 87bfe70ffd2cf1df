package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.Naming;
import io.traceroll.webhook.AdmissionServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        .sorted(Comparator.comparing(Naming::policyId))
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

  /**
   * A JSON patch that removes the webhooks of the live configuration that the desired one no longer
   * has, or null when there are none. Server-side apply alone cannot remove a webhook once another
   * field manager co-owns part of it: cert-manager's CA injector applies the caBundle (and so the
   * name) of every webhook in the configuration, so dropping one from our apply leaves {name,
   * caBundle} behind, which the API server rejects as invalid, and every later apply (new policies
   * included) fails the same way. A JSON patch removes the whole entry whoever owns its fields.
   * Each removal is guarded by a test of the name at its index, highest index first, so a
   * concurrent change makes the patch fail instead of removing the wrong webhook.
   */
  public static String staleWebhookRemoval(
      MutatingWebhookConfiguration live, MutatingWebhookConfiguration desired) {
    if (live == null || live.getWebhooks() == null) {
      return null;
    }
    Set<String> wanted = new HashSet<>();
    desired.getWebhooks().forEach(w -> wanted.add(w.getName()));
    List<Map<String, Object>> operations = new ArrayList<>();
    List<MutatingWebhook> present = live.getWebhooks();
    for (int i = present.size() - 1; i >= 0; i--) {
      String name = present.get(i).getName();
      if (!wanted.contains(name)) {
        Map<String, Object> test = new LinkedHashMap<>();
        test.put("op", "test");
        test.put("path", "/webhooks/" + i + "/name");
        test.put("value", name);
        Map<String, Object> remove = new LinkedHashMap<>();
        remove.put("op", "remove");
        remove.put("path", "/webhooks/" + i);
        operations.add(test);
        operations.add(remove);
      }
    }
    return operations.isEmpty() ? null : Serialization.asJson(operations);
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
