package io.traceroll.operator.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import org.junit.jupiter.api.Test;

class TempoPodTemplateTest {
  static TracingPolicy policy(TempoBackend tempo) {
    TracingPolicy policy = new TracingPolicy();
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
    assertThat(TempoPodTemplate.configHash(a)).isEqualTo(TempoPodTemplate.configHash(b));
    b.setRetention("24h");
    assertThat(TempoPodTemplate.configHash(a)).isNotEqualTo(TempoPodTemplate.configHash(b));
    b.setRetention("168h");
    b.setImage("grafana/tempo:other");
    assertThat(TempoPodTemplate.configHash(a)).isEqualTo(TempoPodTemplate.configHash(b));
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
}
