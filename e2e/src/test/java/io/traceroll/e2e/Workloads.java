package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
import java.util.function.Consumer;

/** The e2e tests' workloads: Deployments whose pods run one container named "app". */
final class Workloads {
  private Workloads() {}

  /**
   * A Deployment that selects its pods by {@code selectorLabel=name}; the pods carry the extra
   * labels too, and the container gets its image (and whatever else) from {@code app}.
   */
  static Deployment deployment(
      String ns,
      String name,
      int replicas,
      String selectorLabel,
      Map<String, String> extraPodLabels,
      Consumer<ContainerBuilder> app) {
    ContainerBuilder container = new ContainerBuilder().withName("app");
    app.accept(container);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels(selectorLabel, name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels(selectorLabel, name)
        .addToLabels(extraPodLabels)
        .endMetadata()
        .withNewSpec()
        .addToContainers(container.build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }
}
