package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Deleter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.NameSetter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.PolicyPrecondition;
import io.traceroll.policy.Naming;
import io.traceroll.policy.OtlpTarget;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The gateway's copy of the backend's headers: read from the user's Secret in the
 * OTEL_EXPORTER_OTLP_HEADERS format agents use, kept as the JSON map the collector expands.
 *
 * <p>Written without an informer: watching Secrets would mean listing every Secret of the cluster
 * (RBAC cannot narrow a watch by label), so the operator only reads the Secrets a policy names and
 * applies this one by name on each reconcile, which the API server turns into a no-op when nothing
 * changed. The owner reference lets the garbage collector remove it with the policy.
 */
public class GatewayHeadersSecretDependent
    implements DependentResource<Secret, TracingPolicy>, Deleter<TracingPolicy>, NameSetter {

  /** The gateway sends the backend's headers from a Secret: the gateway's copy of them. */
  public static class SendsHeaders extends PolicyPrecondition {
    public SendsHeaders() {
      super(
          policy ->
              GatewayConfigMapDependent.requested(policy)
                  && policy.getSpec().getBackend() != null
                  && GatewayConfigRenderer.sendsHeaders(policy));
    }
  }

  private static final String FIELD_MANAGER = "traceroll";
  private String name = DependentResource.defaultNameFor(getClass());

  @Override
  public void setName(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ReconcileResult<Secret> reconcile(TracingPolicy policy, Context<TracingPolicy> context) {
    Secret desired = desired(policy, context.getClient());
    var resource = context.getClient().resource(desired);
    boolean ssa =
        context
            .getControllerConfiguration()
            .getConfigurationService()
            .ssaBasedCreateUpdateMatchForDependentResources();
    Secret stored =
        ssa
            ? resource.fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply()
            // Only where the API server cannot apply (the mock server of the unit tests).
            : resource.createOr(NonDeletingOperation::update);
    return ReconcileResult.resourceUpdated(stored);
  }

  @Override
  public void delete(TracingPolicy policy, Context<TracingPolicy> context) {
    context
        .getClient()
        .secrets()
        .inNamespace(policy.getMetadata().getNamespace())
        .withName(Naming.gatewayHeaders(policy))
        .delete();
  }

  @Override
  public Class<Secret> resourceType() {
    return Secret.class;
  }

  static Secret desired(TracingPolicy policy, KubernetesClient client) {
    String json = headersJson(policy, client);
    Secret secret =
        new SecretBuilder()
            .withMetadata(
                ChildObjects.metadata(
                    policy, Naming.gatewayHeaders(policy), ChildObjects.GATEWAY_COMPONENT))
            .withType("Opaque")
            .addToData(
                GatewayHeaders.JSON_KEY,
                Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
            .build();
    secret.addOwnerReference(policy);
    return secret;
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
