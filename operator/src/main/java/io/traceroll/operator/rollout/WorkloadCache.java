package io.traceroll.operator.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.traceroll.api.Traceroll;
import io.traceroll.policy.LabelSelectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rollout's view of the cluster: informer caches of Deployments, StatefulSets, DaemonSets and
 * pods (reads never call the API server), and the restart patch (the only write).
 */
public final class WorkloadCache implements RolloutExecutor.Cluster, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(WorkloadCache.class);

  private final KubernetesClient client;
  private final List<SharedIndexInformer<? extends HasMetadata>> workloads = new ArrayList<>();
  private SharedIndexInformer<Pod> pods;

  public WorkloadCache(KubernetesClient client) {
    this.client = client;
  }

  public void start() {
    workloads.add(client.apps().deployments().inAnyNamespace().inform());
    workloads.add(client.apps().statefulSets().inAnyNamespace().inform());
    workloads.add(client.apps().daemonSets().inAnyNamespace().inform());
    pods = client.pods().inAnyNamespace().inform();
  }

  public boolean hasSynced() {
    return pods != null
        && pods.hasSynced()
        && workloads.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public List<Workload> workloads(String namespace) {
    List<Workload> out = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : workloads) {
      for (HasMetadata o : informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
        if (!isOurs(o)) {
          out.add(Workload.of(o));
        }
      }
    }
    return out;
  }

  @Override
  public List<PodFacts> pods(String namespace, LabelSelector selector) {
    return pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace).stream()
        .filter(
            p -> selector != null && LabelSelectors.matches(selector, p.getMetadata().getLabels()))
        .map(PodFacts::of)
        .toList();
  }

  @Override
  public Set<String> namespacesInjectedBy(String policyId) {
    return pods.getStore().list().stream()
        .filter(
            p -> {
              var a = p.getMetadata().getAnnotations();
              String injected = a == null ? null : a.get(Traceroll.INJECTED_ANNOTATION);
              return injected != null && injected.startsWith(policyId + "@");
            })
        .map(p -> p.getMetadata().getNamespace())
        .collect(Collectors.toSet());
  }

  @Override
  public void restart(Workload workload, String revision, String target, boolean optOut) {
    LOG.info(
        "restarting {} for {} (revision {}{})",
        workload.key(),
        target,
        revision,
        optOut ? ", opted out" : "");
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Traceroll.RESTARTED_AT_ANNOTATION, revision);
    annotations.put(Traceroll.RESTARTED_FOR_ANNOTATION, target);
    if (optOut) {
      annotations.put(Traceroll.INJECT_ANNOTATION, "false");
    }
    String patch;
    try {
      patch =
          JSON.writeValueAsString(
              Map.of(
                  "spec",
                  Map.of("template", Map.of("metadata", Map.of("annotations", annotations)))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    var ns = workload.namespace();
    switch (workload.kind()) {
      case "Deployment" ->
          client.apps().deployments().inNamespace(ns).withName(workload.name()).patch(merge, patch);
      case "StatefulSet" ->
          client
              .apps()
              .statefulSets()
              .inNamespace(ns)
              .withName(workload.name())
              .patch(merge, patch);
      default ->
          client.apps().daemonSets().inNamespace(ns).withName(workload.name()).patch(merge, patch);
    }
  }

  /** The operator's own Tempo is never restarted by a rollout. */
  private static boolean isOurs(HasMetadata o) {
    var labels = o.getMetadata().getLabels();
    return labels != null && Traceroll.MANAGED_BY.equals(labels.get(Traceroll.MANAGED_BY_LABEL));
  }

  @Override
  public void close() {
    workloads.forEach(SharedIndexInformer::close);
    if (pods != null) {
      pods.close();
    }
  }
}
