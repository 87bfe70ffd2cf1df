package io.traceroll.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.TestPolicies;
import org.junit.jupiter.api.Test;

class GatewayPodTemplateTest {
  @Test
  void runsTheCollectorUnderTheRestrictedProfile() {
    PodTemplateSpec template = GatewayPodTemplate.build(TestPolicies.tailSampledTempo(), null);

    var pod = template.getSpec().getSecurityContext();
    assertThat(pod.getRunAsNonRoot()).isTrue();
    assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container collector = template.getSpec().getContainers().get(0);
    assertThat(collector.getImage()).isEqualTo(Traceroll.DEFAULT_GATEWAY_IMAGE);
    assertThat(collector.getArgs()).containsExactly("--config=/conf/collector.yaml");
    var container = collector.getSecurityContext();
    assertThat(container.getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(collector.getPorts())
        .extracting(ContainerPort::getContainerPort)
        .containsExactly(4317, 4318, 13133);
    assertThat(collector.getReadinessProbe().getHttpGet().getPort().getStrVal())
        .isEqualTo("health");
    assertThat(collector.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/");
    assertThat(collector.getEnv()).isEmpty();
    assertThat(template.getSpec().getVolumes().get(0).getConfigMap().getName())
        .isEqualTo("default-gateway-config");
    assertThat(template.getMetadata().getLabels())
        .containsEntry(Traceroll.NAME_LABEL, "traceroll-gateway")
        .containsEntry(Traceroll.INSTANCE_LABEL, "default");
  }

  @Test
  void carriesTheImageAndResourcesOfTheTailSpec() {
    TracingPolicy policy = TestPolicies.tailSampledTempo();
    policy.getSpec().getSampling().getTail().setImage("registry.local/otelcol-contrib:1");
    policy
        .getSpec()
        .getSampling()
        .getTail()
        .setResources(
            new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("1Gi")).build());

    Container collector = GatewayPodTemplate.build(policy, null).getSpec().getContainers().get(0);

    assertThat(collector.getImage()).isEqualTo("registry.local/otelcol-contrib:1");
    assertThat(collector.getResources().getLimits()).containsEntry("memory", new Quantity("1Gi"));
  }

  @Test
  void headersComeFromTheGatewaysSecretIntoTheEnvironment() {
    TracingPolicy policy =
        TestPolicies.tailSampledOtlp("https://v:443", OtlpProtocol.GRPC, "vendor-key");

    Container collector =
        GatewayPodTemplate.build(policy, "{\"api-key\":\"x\"}").getSpec().getContainers().get(0);

    assertThat(collector.getEnv()).hasSize(1);
    var env = collector.getEnv().get(0);
    assertThat(env.getName()).isEqualTo(GatewayConfigRenderer.HEADERS_ENV);
    assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("default-gateway-headers");
    assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("headers.json");
  }

  @Test
  void configHashChangesWithTheConfigAndTheHeadersOnly() {
    TracingPolicy policy = TestPolicies.tailSampledTempo();
    String before = GatewayPodTemplate.configHash(policy, null);
    policy.getSpec().getSampling().getTail().setImage("other:1");
    assertThat(GatewayPodTemplate.configHash(policy, null)).isEqualTo(before);
    policy.getSpec().getSampling().getTail().setRatio(0.5);
    String afterRatio = GatewayPodTemplate.configHash(policy, null);
    assertThat(afterRatio).isNotEqualTo(before);
    assertThat(GatewayPodTemplate.configHash(policy, "{\"k\":\"v2\"}"))
        .isNotEqualTo(afterRatio)
        .isNotEqualTo(GatewayPodTemplate.configHash(policy, "{\"k\":\"v1\"}"));
  }
}
