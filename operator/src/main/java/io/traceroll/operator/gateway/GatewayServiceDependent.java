package io.traceroll.operator.gateway;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.policy.Naming;

/** The Service agents export to when the policy asks for tail sampling: OTLP gRPC and HTTP. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class GatewayServiceDependent extends NamedChildDependent<Service> {

  public GatewayServiceDependent() {
    super(Service.class, Naming::gateway, ChildObjects.GATEWAY_COMPONENT);
  }

  @Override
  protected Service desired(TracingPolicy policy, Context<TracingPolicy> context) {
    return new ServiceBuilder()
        .withMetadata(metadata(policy))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(ChildObjects.gatewaySelector(policy))
        .withPorts(
            port("otlp-grpc", GatewayConfigRenderer.OTLP_GRPC_PORT),
            port("otlp-http", GatewayConfigRenderer.OTLP_HTTP_PORT))
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withNewTargetPort(name)
        .withProtocol("TCP")
        .build();
  }
}
