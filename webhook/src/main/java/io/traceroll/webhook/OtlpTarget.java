package io.traceroll.webhook;

import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * Where and how agents of a policy export: the policy's Tempo Service or its external endpoint.
 * Shared by the webhook and the operator's status.
 */
public record OtlpTarget(String endpoint, String protocol, String headersSecretName) {
  public static final int OTLP_GRPC_PORT = 4317;
  public static final int OTLP_HTTP_PORT = 4318;

  /** Name of the Service in front of a policy's Tempo. */
  public static String tempoServiceName(TracingPolicy policy) {
    return policy.getMetadata().getName() + "-tempo";
  }

  public static OtlpTarget of(TracingPolicy policy) {
    var backend = policy.getSpec().getBackend();
    if (backend.getOtlpEndpoint() != null) {
      return new OtlpTarget(
          backend.getOtlpEndpoint().getEndpoint(),
          backend.getOtlpEndpoint().getProtocol().otelValue(),
          backend.getOtlpEndpoint().getHeadersSecretName());
    }
    boolean grpc = backend.getTempo().getReceivers().contains(Receiver.OTLP_GRPC);
    String host = tempoServiceName(policy) + "." + policy.getMetadata().getNamespace() + ".svc";
    return new OtlpTarget(
        "http://" + host + ":" + (grpc ? OTLP_GRPC_PORT : OTLP_HTTP_PORT),
        grpc ? OtlpProtocol.GRPC.otelValue() : OtlpProtocol.HTTP_PROTOBUF.otelValue(),
        null);
  }
}
