package io.traceroll.operator.admission;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.traceroll.operator.runtime.Leadership;

/**
 * What the parts of the webhook's run time share: the client, how the webhook is served and
 * registered, the operator's namespace, and whether this replica leads.
 */
public record WebhookContext(
    KubernetesClient client,
    WebhookConfig config,
    String operatorNamespace,
    Leadership leadership) {}
