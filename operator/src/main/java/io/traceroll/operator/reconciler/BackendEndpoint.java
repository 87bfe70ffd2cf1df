package io.traceroll.operator.reconciler;

import io.traceroll.api.v1alpha1.BackendStatus;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.dependent.ChildObjects;
import io.traceroll.operator.tempo.TempoPorts;

/** The OTLP endpoint agents of a policy export to, as published in status. */
public final class BackendEndpoint {
  private BackendEndpoint() {}

  public static BackendStatus of(TracingPolicy policy) {
    var backend = policy.getSpec().getBackend();
    String sampling = ChildObjects.samplingConfigName(policy);
    if (backend.getOtlpEndpoint() != null) {
      return new BackendStatus("otlpEndpoint", backend.getOtlpEndpoint().getEndpoint(), sampling);
    }
    boolean grpc = backend.getTempo().getReceivers().contains(Receiver.OTLP_GRPC);
    String host =
        ChildObjects.tempoName(policy) + "." + policy.getMetadata().getNamespace() + ".svc";
    int port = grpc ? TempoPorts.OTLP_GRPC : TempoPorts.OTLP_HTTP;
    return new BackendStatus("tempo", "http://" + host + ":" + port, sampling);
  }
}
