package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.RestrictedSecurity;
import io.traceroll.policy.Naming;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The gateway pod: one collector container under the restricted Pod Security profile. */
public final class GatewayPodTemplate {
  public static final String CONFIG_VOLUME = "config";
  public static final String CONFIG_FILE = "collector.yaml";
  public static final String CONTAINER = "collector";

  /** The user the contrib image runs as. */
  private static final long COLLECTOR_UID = 10001L;

  private GatewayPodTemplate() {}

  /**
   * @param headersJson the backend's headers as the gateway's Secret holds them, or null when the
   *     backend takes none; a change rolls the pod, as the collector reads them only at start
   */
  public static PodTemplateSpec build(TracingPolicy policy, String headersJson) {
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(ChildObjects.labels(policy, ChildObjects.GATEWAY_COMPONENT))
        .addToAnnotations(Traceroll.CONFIG_HASH_ANNOTATION, configHash(policy, headersJson))
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(RestrictedSecurity.pod(COLLECTOR_UID, false))
        .withContainers(container(policy, headersJson != null))
        .addToVolumes(
            new VolumeBuilder()
                .withName(CONFIG_VOLUME)
                .withNewConfigMap()
                .withName(Naming.gatewayConfig(policy))
                .endConfigMap()
                .build())
        .endSpec()
        .build();
  }

  /** A hash of the collector config and the headers; a change rolls the gateway pod. */
  public static String configHash(TracingPolicy policy, String headersJson) {
    String content =
        GatewayConfigRenderer.render(policy) + "\n" + (headersJson == null ? "" : headersJson);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Container container(TracingPolicy policy, boolean headers) {
    TailSampling tail = policy.getSpec().getSampling().getTail();
    ContainerBuilder container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(tail.getImage())
            .withArgs("--config=/conf/" + CONFIG_FILE)
            .withResources(tail.getResources())
            .addNewPort()
            .withName("otlp-grpc")
            .withContainerPort(GatewayConfigRenderer.OTLP_GRPC_PORT)
            .endPort()
            .addNewPort()
            .withName("otlp-http")
            .withContainerPort(GatewayConfigRenderer.OTLP_HTTP_PORT)
            .endPort()
            .addNewPort()
            .withName("health")
            .withContainerPort(GatewayConfigRenderer.HEALTH_PORT)
            .endPort()
            .addNewVolumeMount()
            .withName(CONFIG_VOLUME)
            .withMountPath("/conf")
            .withReadOnly(true)
            .endVolumeMount()
            .withReadinessProbe(healthProbe(5))
            .withLivenessProbe(healthProbe(15))
            .withSecurityContext(RestrictedSecurity.container());
    if (headers) {
      container.addToEnv(
          new EnvVarBuilder()
              .withName(GatewayConfigRenderer.HEADERS_ENV)
              .withNewValueFrom()
              .withNewSecretKeyRef()
              .withName(Naming.gatewayHeaders(policy))
              .withKey(GatewayHeaders.JSON_KEY)
              .endSecretKeyRef()
              .endValueFrom()
              .build());
    }
    return container.build();
  }

  private static Probe healthProbe(int initialDelaySeconds) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/")
        .withNewPort("health")
        .endHttpGet()
        .withInitialDelaySeconds(initialDelaySeconds)
        .build();
  }
}
