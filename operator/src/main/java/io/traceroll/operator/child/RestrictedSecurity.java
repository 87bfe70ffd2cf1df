package io.traceroll.operator.child;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;

/**
 * The security contexts of the pods the operator runs (Tempo, the gateway): what the "restricted"
 * Pod Security Standard asks, so they start in namespaces that enforce it.
 */
public final class RestrictedSecurity {
  private RestrictedSecurity() {}

  /** Non-root as the image's own user, RuntimeDefault seccomp; volumes group-owned if asked. */
  public static PodSecurityContext pod(long uid, boolean ownVolumes) {
    PodSecurityContextBuilder builder =
        new PodSecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withRunAsUser(uid)
            .withRunAsGroup(uid)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile();
    return ownVolumes ? builder.withFsGroup(uid).build() : builder.build();
  }

  /** No privilege escalation, a read-only root filesystem, every capability dropped. */
  public static SecurityContext container() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .addToDrop("ALL")
        .endCapabilities()
        .build();
  }
}
