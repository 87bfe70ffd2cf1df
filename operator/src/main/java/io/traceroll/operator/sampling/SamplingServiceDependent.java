package io.traceroll.operator.sampling;

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
import io.traceroll.policy.RemoteSampler;

/**
 * The address a policy's agents poll for sampling: a Service in the policy's namespace that points
 * (by DNS) at the operator's sampling Service. The name they dial tells the server which policy's
 * strategies to answer with.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class SamplingServiceDependent extends NamedChildDependent<Service> {
  /** Context key under which the reconciler passes the operator's sampling Service host. */
  public static final String TARGET_HOST = "sampling-service-host";

  public SamplingServiceDependent() {
    super(Service.class, Naming::samplingService, ChildObjects.SAMPLING_COMPONENT);
  }

  @Override
  protected Service desired(TracingPolicy policy, Context<TracingPolicy> context) {
    String target =
        context
            .managedWorkflowAndDependentResourceContext()
            .getMandatory(TARGET_HOST, String.class);
    return new ServiceBuilder()
        .withMetadata(metadata(policy))
        .withNewSpec()
        .withType("ExternalName")
        .withExternalName(target)
        .withPorts(port("grpc", RemoteSampler.GRPC_PORT), port("http", RemoteSampler.HTTP_PORT))
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder().withName(name).withPort(port).withProtocol("TCP").build();
  }
}
