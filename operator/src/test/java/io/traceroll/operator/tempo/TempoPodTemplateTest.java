package io.traceroll.operator.tempo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TempoPodTemplateTest {
  static TracingPolicy policy(TempoBackend tempo) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new io.traceroll.api.v1alpha1.TracingPolicySpec());
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    Backend backend = new Backend();
    backend.setTempo(tempo);
    policy.getSpec().setBackend(backend);
    return policy;
  }

  @Test
  void configHashChangesExactlyWhenTempoYamlChanges() {
    TempoBackend a = new TempoBackend();
    TempoBackend b = new TempoBackend();
    assertThat(TempoPodTemplate.configHash(policy(a)))
        .isEqualTo(TempoPodTemplate.configHash(policy(b)));
    b.setRetention("24h");
    assertThat(TempoPodTemplate.configHash(policy(a)))
        .isNotEqualTo(TempoPodTemplate.configHash(policy(b)));
    b.setRetention("168h");
    b.setImage("grafana/tempo:other");
    assertThat(TempoPodTemplate.configHash(policy(a)))
        .isEqualTo(TempoPodTemplate.configHash(policy(b)));
  }

  @Test
  void runsRestrictedAndReadsConfigFromTheConfigMap() {
    PodTemplateSpec template = TempoPodTemplate.build(policy(new TempoBackend()));
    var spec = template.getSpec();
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container tempo = spec.getContainers().get(0);
    assertThat(tempo.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(tempo.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(tempo.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(tempo.getArgs()).containsExactly("-config.file=/conf/tempo.yaml");
    assertThat(spec.getVolumes()).extracting(v -> v.getName()).containsExactly("config");
    assertThat(spec.getVolumes().get(0).getConfigMap().getName()).isEqualTo("default-tempo-config");
    assertThat(template.getMetadata().getAnnotations())
        .containsKey(Traceroll.CONFIG_HASH_ANNOTATION);
    assertThat(tempo.getPorts())
        .extracting(p -> p.getContainerPort())
        .containsExactly(3200, 4317, 4318);
  }

  @Test
  void ephemeralStorageGetsAnEmptyDirAndS3GetsCredentialsFromTheSecret() {
    TempoBackend memory = new TempoBackend();
    memory.getStorage().setType(StorageType.MEMORY);
    assertThat(TempoPodTemplate.build(policy(memory)).getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());

    TempoBackend s3 = TempoConfigRendererTest.s3Tempo();
    Container tempo = TempoPodTemplate.build(policy(s3)).getSpec().getContainers().get(0);
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

  static TempoBackend tempoWith(StorageType type) {
    TempoBackend tempo =
        type == StorageType.S3 ? TempoConfigRendererTest.s3Tempo() : new TempoBackend();
    tempo.getStorage().setType(type);
    return tempo;
  }

  static Container tempoContainer(PodTemplateSpec template) {
    assertThat(template.getSpec().getContainers()).hasSize(1);
    return template.getSpec().getContainers().get(0);
  }

  static String hashAnnotation(TracingPolicy policy) {
    return TempoPodTemplate.build(policy)
        .getMetadata()
        .getAnnotations()
        .get(Traceroll.CONFIG_HASH_ANNOTATION);
  }

  @Test
  void containerPortsFollowTheReceivers() {
    TempoBackend tempo = new TempoBackend();
    tempo.setReceivers(new ArrayList<>(List.of(Receiver.OTLP_HTTP, Receiver.JAEGER)));
    Container container = tempoContainer(TempoPodTemplate.build(policy(tempo)));

    assertThat(container.getPorts())
        .extracting(ContainerPort::getName, ContainerPort::getContainerPort)
        .containsExactly(
            tuple("http", 3200),
            tuple("otlp-http", 4318),
            tuple("jaeger-thrift", 14268),
            tuple("jaeger-grpc", 14250));

    tempo.setReceivers(new ArrayList<>(List.of(Receiver.OTLP_GRPC, Receiver.ZIPKIN)));
    assertThat(tempoContainer(TempoPodTemplate.build(policy(tempo))).getPorts())
        .extracting(ContainerPort::getContainerPort)
        .containsExactly(3200, 4317, 9411);
  }

  @Test
  void theReadinessProbeUsesTheNamedApiPort() {
    Container container = tempoContainer(TempoPodTemplate.build(policy(new TempoBackend())));
    String probePort = container.getReadinessProbe().getHttpGet().getPort().getStrVal();
    assertThat(container.getPorts())
        .filteredOn(p -> probePort.equals(p.getName()))
        .extracting(ContainerPort::getContainerPort)
        .containsExactly(3200);
  }

  @Test
  void configHashAnnotationIsStableForAnUnchangedPolicy() {
    assertThat(hashAnnotation(policy(new TempoBackend())))
        .isNotBlank()
        .isEqualTo(hashAnnotation(policy(new TempoBackend())));
    assertThat(hashAnnotation(policy(TempoConfigRendererTest.s3Tempo())))
        .isEqualTo(hashAnnotation(policy(TempoConfigRendererTest.s3Tempo())));
  }

  @Test
  void configHashAnnotationChangesWhenTheRetentionChanges() {
    TempoBackend tempo = new TempoBackend();
    String before = hashAnnotation(policy(tempo));
    tempo.setRetention("24h");
    String after = hashAnnotation(policy(tempo));
    assertThat(after).isNotEqualTo(before);
    tempo.setRetention("168h");
    assertThat(hashAnnotation(policy(tempo))).isEqualTo(before);
  }

  @Test
  void configHashAnnotationChangesWithEveryOtherTempoYamlInput() {
    String base = hashAnnotation(policy(new TempoBackend()));

    TempoBackend receivers = new TempoBackend();
    receivers.setReceivers(new ArrayList<>(List.of(Receiver.OTLP_GRPC)));
    TempoBackend s3 = tempoWith(StorageType.S3);
    TempoBackend generator = new TempoBackend();
    MetricsGenerator metrics = new MetricsGenerator();
    metrics.setRemoteWriteUrl("http://prometheus:9090/api/v1/write");
    generator.setMetricsGenerator(metrics);

    assertThat(List.of(receivers, s3, generator))
        .extracting(t -> hashAnnotation(policy(t)))
        .doesNotContain(base)
        .doesNotHaveDuplicates();
  }

  @Test
  void pvAndMemoryShareTheSameConfigHash() {
    // Both keep blocks on the local disk at the same path: only the workload kind differs.
    assertThat(hashAnnotation(policy(tempoWith(StorageType.MEMORY))))
        .isEqualTo(hashAnnotation(policy(tempoWith(StorageType.PV))));
  }

  @Test
  void configHashAnnotationIgnoresWhatTempoYamlDoesNotContain() {
    String base = hashAnnotation(policy(new TempoBackend()));
    TempoBackend other = new TempoBackend();
    other.setImage("grafana/tempo:2.9.1");
    TracingPolicy renamed = policy(other);
    renamed.getMetadata().setName("other");
    assertThat(hashAnnotation(renamed)).isEqualTo(base);
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void thePodRunsRestrictedForEveryStorage(StorageType type) {
    PodSpec spec = TempoPodTemplate.build(policy(tempoWith(type))).getSpec();

    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getRunAsUser()).isNotNull().isNotZero();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container container : spec.getContainers()) {
      var security = container.getSecurityContext();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    }
  }

  @Test
  void s3CredentialsComeFromTheNamedSecretKeysOnly() {
    TempoBackend s3 = TempoConfigRendererTest.s3Tempo();
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
    TempoBackend tempo = tempoWith(type);
    MetricsGenerator metrics = new MetricsGenerator();
    metrics.setRemoteWriteUrl("http://prometheus:9090/api/v1/write");
    tempo.setMetricsGenerator(metrics);
    PodTemplateSpec template = TempoPodTemplate.build(policy(tempo));

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
    MetricsGenerator metrics = new MetricsGenerator();
    metrics.setRemoteWriteUrl("https://mimir.example/api/v1/push");
    io.traceroll.api.v1alpha1.BasicAuthSecret auth =
        new io.traceroll.api.v1alpha1.BasicAuthSecret();
    auth.setName("mimir-writer");
    auth.setPasswordKey("token");
    metrics.setBasicAuthSecret(auth);
    tempo.setMetricsGenerator(metrics);
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
    TempoBackend tempo = new TempoBackend();
    MetricsGenerator metrics = new MetricsGenerator();
    metrics.setRemoteWriteUrl("http://prometheus:9090/api/v1/write");
    tempo.setMetricsGenerator(metrics);
    assertThat(TempoPodTemplate.build(policy(tempo)).getSpec().getVolumes())
        .allSatisfy(v -> assertThat(v.getSecret()).isNull());
  }

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
  void theTemplateCarriesTheLabelsTheWorkloadSelectorMatches() {
    TracingPolicy policy = policy(new TempoBackend());
    assertThat(TempoPodTemplate.build(policy).getMetadata().getLabels())
        .containsAllEntriesOf(ChildObjects.tempoSelector(policy));
  }

  @Test
  void theContainerRunsTheSpecImage() {
    TempoBackend tempo = new TempoBackend();
    tempo.setImage("registry.local/tempo:2.9.0");
    assertThat(tempoContainer(TempoPodTemplate.build(policy(tempo))).getImage())
        .isEqualTo("registry.local/tempo:2.9.0");
  }
}
