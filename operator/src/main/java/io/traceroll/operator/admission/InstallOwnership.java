package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;

/**
 * Hands what the operator writes in its own namespace (the webhook certificate Secret in self mode,
 * the leader Lease, the image probe's ConfigMap) to the webhook configuration every install path
 * creates: uninstalling deletes that configuration, and the garbage collector then deletes these
 * too, so no install path leaves them behind. A cluster-scoped owner may own namespaced objects.
 */
public final class InstallOwnership {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private InstallOwnership() {}

  /** Adds the owner reference where it is missing; objects that do not exist are skipped. */
  static void adopt(
      KubernetesClient client,
      MutatingWebhookConfiguration owner,
      String namespace,
      String secretName,
      String leaseName) {
    OwnerReference reference = reference(owner);
    if (secretName != null) {
      adopt(client.secrets().inNamespace(namespace).withName(secretName), reference);
    }
    adopt(client.leases().inNamespace(namespace).withName(leaseName), reference);
  }

  /** The install's webhook configuration, or null where there is none (yet). */
  static MutatingWebhookConfiguration configuration(KubernetesClient client) {
    return client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(WebhookConfig.CONFIGURATION_NAME)
        .get();
  }

  /**
   * The owner references an object the operator creates in its namespace gets: the install's
   * webhook configuration, none when it is absent (the object then outlives an uninstall).
   */
  public static List<OwnerReference> ownerReferences(KubernetesClient client) {
    MutatingWebhookConfiguration owner = configuration(client);
    return owner == null ? List.of() : List.of(reference(owner));
  }

  private static OwnerReference reference(MutatingWebhookConfiguration owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion("admissionregistration.k8s.io/v1")
        .withKind("MutatingWebhookConfiguration")
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .build();
  }

  private static <T extends HasMetadata> void adopt(Resource<T> resource, OwnerReference owner) {
    T current = resource.get();
    if (current == null
        || current.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> owner.getUid().equals(r.getUid()))) {
      return;
    }
    // A merge patch touches only the owner references; the Lease's holder keeps renewing it.
    resource.patch(
        PatchContext.of(PatchType.JSON_MERGE),
        JSON.asJson(Map.of("metadata", Map.of("ownerReferences", List.of(owner)))));
  }
}
