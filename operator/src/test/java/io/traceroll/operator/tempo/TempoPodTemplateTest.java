package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.policy;
import static io.traceroll.operator.tempo.TempoFixtures.tempoContainer;
import static io.traceroll.operator.tempo.TempoFixtures.tempoWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tempo's pod: how it runs, its image, ports, probe and labels. Its volumes and its config hash
 * have classes of their own.
 */
class TempoPodTemplateTest {

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
