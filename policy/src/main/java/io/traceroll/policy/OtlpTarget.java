package io.traceroll.policy;

import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * Where and how agents of a policy export: the policy's tail-sampling gateway, else its Tempo
 * Service or its external endpoint. Shared by the webhook and the operator's status and gateway.
 */
public record OtlpTarget(String endpoint, String protocol, String headersSecretName) {
  public static final int OTLP_GRPC_PORT = 4317;
  public static final int OTLP_HTTP_PORT = 4318;

  /**
   * Where agents export: the gateway when the policy asks for tail sampling (it holds the backend's
   * credentials, so agents get none), else the backend itself.
   */
  public static OtlpTarget of(TracingPolicy policy) {
    if (policy.getSpec().getSampling().getTail() != null) {
      return new OtlpTarget(
          "http://" + Naming.serviceHost(policy, Naming.gateway(policy)) + ":" + OTLP_GRPC_PORT,
          OtlpProtocol.GRPC.otelValue(),
          null);
    }
    return backend(policy);
  }

  /** Where traces end up: the policy's Tempo Service or its external endpoint. */
  public static OtlpTarget backend(TracingPolicy policy) {
    var backend = policy.getSpec().getBackend();
    if (backend.getOtlpEndpoint() != null) {
      return new OtlpTarget(
          backend.getOtlpEndpoint().getEndpoint(),
          backend.getOtlpEndpoint().getProtocol().otelValue(),
          backend.getOtlpEndpoint().getHeadersSecretName());
    }
    boolean grpc = backend.getTempo().getReceivers().contains(Receiver.OTLP_GRPC);
    String host = Naming.serviceHost(policy, Naming.tempo(policy));
    return new OtlpTarget(
        "http://" + host + ":" + (grpc ? OTLP_GRPC_PORT : OTLP_HTTP_PORT),
        grpc ? OtlpProtocol.GRPC.otelValue() : OtlpProtocol.HTTP_PROTOBUF.otelValue(),
        null);
  }
}
