package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.hashAnnotation;
import static io.traceroll.operator.tempo.TempoFixtures.policy;
import static io.traceroll.operator.tempo.TempoFixtures.s3Tempo;
import static io.traceroll.operator.tempo.TempoFixtures.tempoWith;
import static io.traceroll.operator.tempo.TempoFixtures.withGenerator;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The config hash on Tempo's pod template, which rolls Tempo exactly when tempo.yaml changes. */
class TempoConfigHashTest {

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
  void configHashAnnotationIsStableForAnUnchangedPolicy() {
    assertThat(hashAnnotation(policy(new TempoBackend())))
        .isNotBlank()
        .isEqualTo(hashAnnotation(policy(new TempoBackend())));
    assertThat(hashAnnotation(policy(s3Tempo()))).isEqualTo(hashAnnotation(policy(s3Tempo())));
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
    TempoBackend generator = withGenerator();

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
}
