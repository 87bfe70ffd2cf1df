package io.traceroll.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.api.v1alpha1.OperationSampling;
import io.traceroll.api.v1alpha1.ServiceSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteSamplerTest {

  @Test
  void agentsPollThePolicysOwnSamplingServiceOverGrpc() {
    TracingPolicy policy = TestPolicies.policy("observability", "default");
    policy.getSpec().getSampling().getRemote().setPollInterval("1m30s");

    assertThat(RemoteSampler.of(policy).env())
        .containsExactly(
            entry("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote"),
            entry(
                "OTEL_TRACES_SAMPLER_ARG",
                "endpoint=http://default-sampling.observability.svc:14250,"
                    + "pollingIntervalMs=90000,initialSamplingRate=0.25"));
  }

  @Test
  void withoutParentBasedSamplingEveryServiceDecidesForItself() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    policy.getSpec().getSampling().setParentBased(false);

    assertThat(RemoteSampler.of(policy).env())
        .containsEntry("OTEL_TRACES_SAMPLER", "jaeger_remote");
  }

  @Test
  void changingRatiosDoesNotChangeTheInjectionHash() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    String before = InjectionSettings.of(policy).injectionHash();

    policy.getSpec().getSampling().getDefaultSampling().setRatio(0.0);
    ServiceSampling checkout = new ServiceSampling();
    checkout.setService("checkout");
    checkout.setRatio(1.0);
    checkout.setOperations(List.of(new OperationSampling("GET /healthz", 0.0)));
    policy.getSpec().getSampling().setServices(List.of(checkout));

    assertThat(InjectionSettings.of(policy).injectionHash()).isEqualTo(before);
  }

  @Test
  void changingWhatOnlyARestartAppliesChangesTheInjectionHash() {
    TracingPolicy policy = TestPolicies.policy("obs", "default");
    String before = InjectionSettings.of(policy).injectionHash();

    policy.getSpec().getSampling().getRemote().setPollInterval("5s");
    String polled = InjectionSettings.of(policy).injectionHash();
    policy.getSpec().getSampling().setParentBased(false);
    String unparented = InjectionSettings.of(policy).injectionHash();

    assertThat(List.of(before, polled, unparented)).doesNotHaveDuplicates();
  }

  private static Map.Entry<String, String> entry(String k, String v) {
    return Map.entry(k, v);
  }
}
