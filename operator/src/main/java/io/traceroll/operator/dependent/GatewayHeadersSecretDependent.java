package io.traceroll.operator.dependent;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayHeaders;
import io.traceroll.webhook.OtlpTarget;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The gateway's copy of the backend's headers: read from the user's Secret in the
 * OTEL_EXPORTER_OTLP_HEADERS format agents use, kept as the JSON map the collector expands.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GatewayHeadersSecretDependent extends NamedChildDependent<Secret> {

  public GatewayHeadersSecretDependent() {
    super(Secret.class, ChildObjects::gatewayHeadersName);
  }

  @Override
  protected Secret desired(TracingPolicy policy, Context<TracingPolicy> context) {
    String json = headersJson(policy, context.getClient());
    return new SecretBuilder()
        .withMetadata(
            ChildObjects.metadata(
                policy, ChildObjects.gatewayHeadersName(policy), ChildObjects.GATEWAY_COMPONENT))
        .withType("Opaque")
        .addToData(
            GatewayHeaders.JSON_KEY,
            Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  /**
   * The backend's headers as JSON, or null when it takes none. PolicyValidation has checked the
   * Secret before the workflow runs; a Secret deleted since fails this reconcile.
   */
  public static String headersJson(TracingPolicy policy, KubernetesClient client) {
    String secretName = OtlpTarget.backend(policy).headersSecretName();
    if (secretName == null) {
      return null;
    }
    Secret secret =
        client
            .secrets()
            .inNamespace(policy.getMetadata().getNamespace())
            .withName(secretName)
            .get();
    String raw = secret == null ? null : value(secret, GatewayHeaders.SOURCE_KEY);
    if (raw == null) {
      throw new IllegalStateException(
          "Secret " + secretName + " with key " + GatewayHeaders.SOURCE_KEY + " is gone");
    }
    return GatewayHeaders.toJson(GatewayHeaders.parse(raw));
  }

  /** A key of a Secret, from data or (as written, before the API server folds it) stringData. */
  public static String value(Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.containsKey(key)) {
      return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    Map<String, String> stringData = secret.getStringData();
    return stringData == null ? null : stringData.get(key);
  }
}
