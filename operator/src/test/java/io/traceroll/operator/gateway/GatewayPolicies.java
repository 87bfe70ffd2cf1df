package io.traceroll.operator.gateway;

import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.ArrayList;
import java.util.List;

/** Policies with a tail-sampling gateway in front of each kind of backend. */
final class GatewayPolicies {
  private GatewayPolicies() {}

  static TracingPolicy tempo(Receiver... receivers) {
    TempoBackend tempo = new TempoBackend();
    if (receivers.length > 0) {
      tempo.setReceivers(new ArrayList<>(List.of(receivers)));
    }
    Backend backend = new Backend();
    backend.setTempo(tempo);
    return policy(backend);
  }

  static TracingPolicy otlp(String endpoint, OtlpProtocol protocol, String headersSecret) {
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint(endpoint);
    otlp.setProtocol(protocol);
    otlp.setHeadersSecretName(headersSecret);
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    return policy(backend);
  }

  private static TracingPolicy policy(Backend backend) {
    TracingPolicy policy = new TracingPolicy();
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    policy.setSpec(new TracingPolicySpec());
    policy.getSpec().setBackend(backend);
    policy.getSpec().getSampling().setTail(new TailSampling());
    return policy;
  }
}
