package io.traceroll.operator.tempo;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.policy.Naming;

/** The Service in front of Tempo, exposing exactly the query port and the enabled receivers. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class TempoServiceDependent extends NamedChildDependent<Service> {

  public TempoServiceDependent() {
    super(Service.class, Naming::tempo, ChildObjects.TEMPO_COMPONENT);
  }

  @Override
  protected Service desired(TracingPolicy policy, Context<TracingPolicy> context) {
    var receivers = policy.getSpec().getBackend().getTempo().getReceivers();
    return new ServiceBuilder()
        .withMetadata(metadata(policy))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(ChildObjects.tempoSelector(policy))
        .withPorts(
            TempoPorts.exposed(receivers).stream()
                .map(
                    p ->
                        new ServicePortBuilder()
                            .withName(p.name())
                            .withPort(p.port())
                            .withNewTargetPort(p.name())
                            .withProtocol("TCP")
                            .build())
                .toList())
        .endSpec()
        .build();
  }
}
