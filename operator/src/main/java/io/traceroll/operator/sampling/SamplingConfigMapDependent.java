package io.traceroll.operator.sampling;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.traceroll.api.v1alpha1.Sampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.child.NamedChildDependent;
import io.traceroll.policy.Naming;
import io.traceroll.policy.RemoteSampler;

/** The ConfigMap with the policy's sampling: Jaeger strategies JSON and the OTEL sampler env. */
@KubernetesDependent(informer = @Informer(labelSelector = ChildObjects.MANAGED_SELECTOR))
public class SamplingConfigMapDependent extends NamedChildDependent<ConfigMap> {
  public static final String STRATEGIES_KEY = "strategies.json";

  public SamplingConfigMapDependent() {
    super(ConfigMap.class, Naming::samplingConfig, ChildObjects.SAMPLING_COMPONENT);
  }

  @Override
  protected ConfigMap desired(TracingPolicy policy, Context<TracingPolicy> context) {
    Sampling sampling = policy.getSpec().getSampling();
    return new ConfigMapBuilder()
        .withMetadata(metadata(policy))
        .addToData(STRATEGIES_KEY, SamplingStrategies.renderJson(sampling))
        .addToData(RemoteSampler.of(policy).env())
        .build();
  }
}
