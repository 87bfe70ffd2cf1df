package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.BasicAuthSecret;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.RestrictedSecurity;
import io.traceroll.policy.Naming;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The Tempo pod, shared by the StatefulSet (pv storage) and the Deployment (memory, s3). */
public final class TempoPodTemplate {
  public static final String CONFIG_VOLUME = "config";
  public static final String DATA_VOLUME = "data";
  public static final String REMOTE_WRITE_AUTH_VOLUME = "remote-write-auth";
  public static final String CONFIG_FILE = "tempo.yaml";
  private static final long TEMPO_UID = 10001L;

  private TempoPodTemplate() {}

  public static PodTemplateSpec build(TracingPolicy policy) {
    TempoBackend tempo = policy.getSpec().getBackend().getTempo();
    boolean ephemeralData = tempo.getStorage().getType() != StorageType.PV;
    PodTemplateSpecBuilder template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(ChildObjects.labels(policy, ChildObjects.TEMPO_COMPONENT))
            .addToAnnotations(Traceroll.CONFIG_HASH_ANNOTATION, configHash(policy))
            .endMetadata()
            .withNewSpec()
            .withSecurityContext(RestrictedSecurity.pod(TEMPO_UID, true))
            .withContainers(container(policy, tempo))
            .addToVolumes(
                new VolumeBuilder()
                    .withName(CONFIG_VOLUME)
                    .withNewConfigMap()
                    .withName(Naming.tempoConfig(policy))
                    .endConfigMap()
                    .build())
            .endSpec();
    if (ephemeralData) {
      template
          .editSpec()
          .addToVolumes(
              new VolumeBuilder().withName(DATA_VOLUME).withNewEmptyDir().endEmptyDir().build())
          .endSpec();
    }
    BasicAuthSecret auth = remoteWriteAuth(tempo);
    if (auth != null) {
      template
          .editSpec()
          .addToVolumes(
              new VolumeBuilder()
                  .withName(REMOTE_WRITE_AUTH_VOLUME)
                  .withNewSecret()
                  .withSecretName(auth.getName())
                  .addNewItem()
                  .withKey(auth.getUsernameKey())
                  .withPath(TempoConfigRenderer.USERNAME_FILE)
                  .endItem()
                  .addNewItem()
                  .withKey(auth.getPasswordKey())
                  .withPath(TempoConfigRenderer.PASSWORD_FILE)
                  .endItem()
                  .endSecret()
                  .build())
          .endSpec();
    }
    return template.build();
  }

  /** The metrics generator's remote-write credentials, or null when it sends none. */
  static BasicAuthSecret remoteWriteAuth(TempoBackend tempo) {
    return tempo.getMetricsGenerator() == null
        ? null
        : tempo.getMetricsGenerator().getBasicAuthSecret();
  }

  /** A hash of tempo.yaml; a change rolls the Tempo pods. */
  public static String configHash(TracingPolicy policy) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(TempoConfigRenderer.render(policy).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Container container(TracingPolicy policy, TempoBackend tempo) {
    List<String> args = new ArrayList<>(List.of("-config.file=/conf/" + CONFIG_FILE));
    if (TempoConfigRenderer.needsEnvExpansion(tempo)) {
      args.add("-config.expand-env=true");
    }
    ContainerBuilder container =
        new ContainerBuilder()
            .withName("tempo")
            .withImage(tempo.getImage())
            .withArgs(args)
            .withEnv(credentialsEnv(tempo))
            .withResources(tempo.getResources())
            .addNewVolumeMount()
            .withName(CONFIG_VOLUME)
            .withMountPath("/conf")
            .withReadOnly(true)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName(DATA_VOLUME)
            .withMountPath(TempoConfigRenderer.DATA_DIR)
            .endVolumeMount()
            .withNewReadinessProbe()
            .withNewHttpGet()
            .withPath("/ready")
            .withNewPort("http")
            .endHttpGet()
            .withInitialDelaySeconds(10)
            .endReadinessProbe()
            .withSecurityContext(RestrictedSecurity.container());
    if (remoteWriteAuth(tempo) != null) {
      container
          .addNewVolumeMount()
          .withName(REMOTE_WRITE_AUTH_VOLUME)
          .withMountPath(TempoConfigRenderer.REMOTE_WRITE_AUTH_DIR)
          .withReadOnly(true)
          .endVolumeMount();
    }
    for (TempoPorts.NamedPort port : TempoPorts.exposed(tempo.getReceivers())) {
      container.addNewPort().withName(port.name()).withContainerPort(port.port()).endPort();
    }
    return container.build();
  }

  private static List<EnvVar> credentialsEnv(TempoBackend tempo) {
    if (tempo.getStorage().getType() != StorageType.S3) {
      return List.of();
    }
    SecretKeys secret = tempo.getStorage().getS3().getCredentialsSecret();
    return List.of(
        secretEnv(
            TempoConfigRenderer.S3_ACCESS_KEY_ENV, secret.getName(), secret.getAccessKeyIdKey()),
        secretEnv(
            TempoConfigRenderer.S3_SECRET_KEY_ENV,
            secret.getName(),
            secret.getSecretAccessKeyKey()));
  }

  private static EnvVar secretEnv(String name, String secretName, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secretName)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
