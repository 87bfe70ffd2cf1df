package io.traceroll.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped examples parse into the API and keep the defaults the CRD documents. */
class SamplePoliciesTest {
  static TracingPolicy load(String file) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("../examples", file))) {
      return Serialization.unmarshal(in, TracingPolicy.class);
    }
  }

  @Test
  void tempoSampleParsesWithDefaultsForUnsetFields() throws IOException {
    TracingPolicy policy = load("tracingpolicy-tempo.yaml");
    TracingPolicySpec spec = policy.getSpec();
    assertThat(spec.getBackend().getTempo().getStorage().getType()).isEqualTo(StorageType.PV);
    assertThat(spec.getBackend().getTempo().getReceivers())
        .containsExactly(Receiver.OTLP_GRPC, Receiver.OTLP_HTTP, Receiver.JAEGER, Receiver.ZIPKIN);
    assertThat(spec.getSampling().getDefaultSampling().getRatio()).isEqualTo(0.1);
    assertThat(spec.getSampling().getServices().get(0).getOperations().get(0).getName())
        .isEqualTo("GET /healthz");
    assertThat(spec.getSampling().getServices().get(1).getMaxTracesPerSecond()).isEqualTo(5);
    assertThat(spec.getSampling().isParentBased()).isTrue();
    assertThat(spec.getJava().getPropagators()).containsExactly("tracecontext", "baggage");
    assertThat(spec.getRollout().isAutoRollback()).isTrue();
    assertThat(spec.getSelector().effectiveNamespaceSelector().getMatchLabels())
        .containsEntry("traceroll.io/inject", "enabled");
  }

  @Test
  void otlpSampleHasNoTempo() throws IOException {
    TracingPolicy policy = load("tracingpolicy-otlp.yaml");
    assertThat(policy.getSpec().getBackend().getTempo()).isNull();
    assertThat(policy.getSpec().getBackend().getOtlpEndpoint().getProtocol())
        .isEqualTo(OtlpProtocol.GRPC);
  }

  @Test
  void tailSampleAsksForAGatewayWithDefaultsForUnsetFields() throws IOException {
    TailSampling tail = load("tracingpolicy-tail.yaml").getSpec().getSampling().getTail();
    assertThat(tail.isKeepErrors()).isTrue();
    assertThat(tail.getLatencyThreshold()).isEqualTo("2s");
    assertThat(tail.getRatio()).isEqualTo(0.1);
    assertThat(tail.getDecisionWait()).isEqualTo("10s");
    assertThat(tail.getNumTraces()).isEqualTo(50000);
    assertThat(tail.getImage()).startsWith("otel/opentelemetry-collector-contrib:");
    assertThat(tail.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void samplesWithoutTailDeployNoGateway() throws IOException {
    assertThat(load("tracingpolicy-tempo.yaml").getSpec().getSampling().getTail()).isNull();
    assertThat(load("tracingpolicy-otlp.yaml").getSpec().getSampling().getTail()).isNull();
  }

  @Test
  void grafanaSampleGeneratesMetricsAndAsksForADataSourceWithDefaults() throws IOException {
    TracingPolicySpec spec = load("tracingpolicy-grafana.yaml").getSpec();
    MetricsGenerator generator = spec.getBackend().getTempo().getMetricsGenerator();
    assertThat(generator.getRemoteWriteUrl()).endsWith("/api/v1/write");
    assertThat(generator.getProcessors())
        .containsExactly(MetricsProcessor.SERVICE_GRAPHS, MetricsProcessor.SPAN_METRICS);
    assertThat(generator.isExemplars()).isTrue();
    assertThat(generator.getExternalLabels()).containsEntry("cluster", "prod");
    assertThat(generator.getBasicAuthSecret()).isNull();
    GrafanaDatasource datasource = spec.getGrafana().getDatasource();
    assertThat(datasource.isEnabled()).isTrue();
    assertThat(datasource.getPrometheusDatasourceUid()).isEqualTo("prometheus");
    assertThat(datasource.getLokiDatasourceUid()).isEqualTo("loki");
    assertThat(datasource.getUid()).isNull();
    assertThat(datasource.getName()).isNull();
  }

  @Test
  void samplesWithoutGrafanaProvisionNoDataSource() throws IOException {
    for (String sample :
        new String[] {
          "tracingpolicy-tempo.yaml", "tracingpolicy-otlp.yaml", "tracingpolicy-tail.yaml"
        }) {
      assertThat(load(sample).getSpec().getGrafana()).as(sample).isNull();
    }
  }
}
