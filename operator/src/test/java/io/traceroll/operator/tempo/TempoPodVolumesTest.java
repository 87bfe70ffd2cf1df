package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.generator;
import static io.traceroll.operator.tempo.TempoFixtures.policy;
import static io.traceroll.operator.tempo.TempoFixtures.s3Tempo;
import static io.traceroll.operator.tempo.TempoFixtures.tempoContainer;
import static io.traceroll.operator.tempo.TempoFixtures.tempoWith;
import static io.traceroll.operator.tempo.TempoFixtures.withGenerator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.traceroll.api.v1alpha1.BasicAuthSecret;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What Tempo's pod mounts and which Secrets it reads: config, data by storage type, S3 and
 * remote-write credentials.
 */
class TempoPodVolumesTest {

  @Test
  void theConfigIsMountedReadOnlyFromThePolicysConfigMap() {
    PodTemplateSpec template = TempoPodTemplate.build(policy(new TempoBackend()));
    Volume config = template.getSpec().getVolumes().get(0);
    assertThat(config.getName()).isEqualTo("config");
    assertThat(config.getConfigMap().getName()).isEqualTo("default-tempo-config");
    VolumeMount mount =
        tempoContainer(template).getVolumeMounts().stream()
            .filter(m -> m.getName().equals("config"))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getReadOnly()).isTrue();
    assertThat(mount.getMountPath()).isEqualTo("/conf");
  }

  @Test
  void ephemeralStorageGetsAnEmptyDirAndS3GetsCredentialsFromTheSecret() {
    assertThat(TempoPodTemplate.build(policy(tempoWith(StorageType.MEMORY))).getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());

    Container tempo = TempoPodTemplate.build(policy(s3Tempo())).getSpec().getContainers().get(0);
    assertThat(tempo.getArgs()).contains("-config.expand-env=true");
    assertThat(tempo.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY");
    assertThat(tempo.getEnv().get(0).getValueFrom().getSecretKeyRef().getName()).isEqualTo("creds");
    assertThat(tempo.getEnv().get(0).getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("AWS_ACCESS_KEY_ID");
    assertThat(tempo.getEnv().get(1).getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void s3CredentialsComeFromTheNamedSecretKeysOnly() {
    TempoBackend s3 = s3Tempo();
    SecretKeys keys = s3.getStorage().getS3().getCredentialsSecret();
    keys.setName("minio-credentials");
    keys.setAccessKeyIdKey("accesskey");
    keys.setSecretAccessKeyKey("secretkey");
    Container container = tempoContainer(TempoPodTemplate.build(policy(s3)));

    assertThat(container.getEnv())
        .extracting(
            EnvVar::getName,
            EnvVar::getValue,
            e -> e.getValueFrom().getSecretKeyRef().getName(),
            e -> e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly(
            tuple("S3_ACCESS_KEY_ID", null, "minio-credentials", "accesskey"),
            tuple("S3_SECRET_ACCESS_KEY", null, "minio-credentials", "secretkey"));
    assertThat(container.getArgs())
        .containsExactly("-config.file=/conf/tempo.yaml", "-config.expand-env=true");
  }

  @ParameterizedTest
  @EnumSource(
      value = StorageType.class,
      names = {"PV", "MEMORY"})
  void localStorageNeedsNoCredentialsNorEnvExpansion(StorageType type) {
    Container container = tempoContainer(TempoPodTemplate.build(policy(tempoWith(type))));
    assertThat(container.getEnv()).isNullOrEmpty();
    assertThat(container.getArgs()).containsExactly("-config.file=/conf/tempo.yaml");
  }

  @ParameterizedTest
  @EnumSource(
      value = StorageType.class,
      names = {"MEMORY", "S3"})
  void memoryAndS3KeepDataInAnEmptyDir(StorageType type) {
    PodSpec spec = TempoPodTemplate.build(policy(tempoWith(type))).getSpec();
    assertThat(spec.getVolumes()).extracting(Volume::getName).containsExactly("config", "data");
    Volume data = spec.getVolumes().get(1);
    assertThat(data.getEmptyDir()).isNotNull();
    assertThat(data.getPersistentVolumeClaim()).isNull();
  }

  @Test
  void pvLeavesTheDataVolumeToTheStatefulSetClaimTemplate() {
    PodTemplateSpec template = TempoPodTemplate.build(policy(tempoWith(StorageType.PV)));
    assertThat(template.getSpec().getVolumes())
        .extracting(Volume::getName)
        .containsExactly("config");
    assertThat(tempoContainer(template).getVolumeMounts())
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .contains(tuple(TempoPodTemplate.DATA_VOLUME, TempoConfigRenderer.DATA_DIR));
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void everyMountIsBackedByAVolumeOrThePvClaim(StorageType type) {
    PodTemplateSpec template = TempoPodTemplate.build(policy(tempoWith(type)));
    List<String> volumes =
        new ArrayList<>(template.getSpec().getVolumes().stream().map(Volume::getName).toList());
    if (type == StorageType.PV) {
      volumes.add(TempoPodTemplate.DATA_VOLUME);
    }
    assertThat(tempoContainer(template).getVolumeMounts())
        .extracting(VolumeMount::getName)
        .containsExactlyInAnyOrderElementsOf(volumes);
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void theGeneratorWalLiesOnAWritableVolumeForEveryStorage(StorageType type) {
    PodTemplateSpec template = TempoPodTemplate.build(policy(withGenerator(tempoWith(type))));

    // The root filesystem is read-only: the WAL must sit under a writable mount.
    assertThat(tempoContainer(template).getVolumeMounts())
        .filteredOn(m -> TempoConfigRenderer.GENERATOR_WAL_DIR.startsWith(m.getMountPath() + "/"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE))
        .satisfies(m -> assertThat(m.getName()).isEqualTo(TempoPodTemplate.DATA_VOLUME));
  }

  @Test
  void remoteWriteCredentialsAreMountedReadOnlyFromTheNamedSecretKeys() {
    TempoBackend tempo = new TempoBackend();
    tempo.setMetricsGenerator(generator("https://mimir.example/api/v1/push"));
    BasicAuthSecret auth = new BasicAuthSecret();
    auth.setName("mimir-writer");
    auth.setPasswordKey("token");
    tempo.getMetricsGenerator().setBasicAuthSecret(auth);
    PodTemplateSpec template = TempoPodTemplate.build(policy(tempo));

    Volume volume =
        template.getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("remote-write-auth"))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("mimir-writer");
    assertThat(volume.getSecret().getItems())
        .extracting(i -> i.getKey(), i -> i.getPath())
        .containsExactly(tuple("username", "username"), tuple("token", "password"));
    assertThat(tempoContainer(template).getVolumeMounts())
        .filteredOn(m -> m.getName().equals("remote-write-auth"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue())
        .satisfies(
            m -> assertThat(m.getMountPath()).isEqualTo(TempoConfigRenderer.REMOTE_WRITE_AUTH_DIR));
    assertThat(tempoContainer(template).getArgs()).containsExactly("-config.file=/conf/tempo.yaml");
  }

  @Test
  void withoutRemoteWriteCredentialsNoSecretIsMounted() {
    assertThat(TempoPodTemplate.build(policy(withGenerator())).getSpec().getVolumes())
        .allSatisfy(v -> assertThat(v.getSecret()).isNull());
  }
}
