package io.traceroll.operator.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.policy.LabelSelectors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollout's cluster: workloads and pods read from the {@link ClusterView}'s caches (no API
 * call), and the restart patch, the rollout's only write.
 */
public final class ClusterWorkloads implements RolloutExecutor.Cluster {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWorkloads.class);

  private final KubernetesClient client;
  private final ClusterView view;
  private final PodAdmission admission;
  private final BiConsumer<Workload, List<String>> prober;

  /** With no image probe: workloads of unknown images wait. */
  public ClusterWorkloads(KubernetesClient client, ClusterView view, PodAdmission admission) {
    this(client, view, admission, (w, images) -> {});
  }

  /**
   * @param prober runs the images the rollout asks about (the operator's {@code ImageProber})
   */
  public ClusterWorkloads(
      KubernetesClient client,
      ClusterView view,
      PodAdmission admission,
      BiConsumer<Workload, List<String>> prober) {
    this.client = client;
    this.view = view;
    this.admission = admission;
    this.prober = prober;
  }

  @Override
  public void probeImages(Workload workload, List<String> images) {
    prober.accept(workload, images);
  }

  @Override
  public List<Workload> workloads(String namespace) {
    return view.workloads(namespace).stream().filter(o -> !isOurs(o)).map(Workload::of).toList();
  }

  @Override
  public List<PodFacts> pods(String namespace, LabelSelector selector) {
    return view.pods(namespace).stream()
        .filter(
            p -> selector != null && LabelSelectors.matches(selector, p.getMetadata().getLabels()))
        .map(PodFacts::of)
        .toList();
  }

  @Override
  public Set<String> namespacesInjectedBy(String policyId) {
    return view.allPods().stream()
        .filter(p -> RolloutPlanner.injectedBy(policyId, p.getMetadata().getAnnotations()))
        .map(p -> p.getMetadata().getNamespace())
        .collect(Collectors.toSet());
  }

  @Override
  public InjectedPods injectedPods(String policyId) {
    Set<String> restartable = new TreeSet<>();
    Set<String> other = new TreeSet<>();
    for (Pod pod : view.allPods()) {
      if (PodFacts.of(pod).gone()
          || !RolloutPlanner.injectedBy(policyId, pod.getMetadata().getAnnotations())) {
        continue;
      }
      String ns = pod.getMetadata().getNamespace();
      String owner = ownerWorkload(pod);
      Workload w =
          owner == null
              ? null
              : view.workloads(ns).stream()
                  .filter(o -> owner.equals(o.getKind() + "/" + o.getMetadata().getName()))
                  .findFirst()
                  .map(Workload::of)
                  .orElse(null);
      if (w != null && w.rollBlocker() == null) {
        restartable.add(w.key());
      } else {
        other.add(owner != null ? owner.replace("/", "/" + ns + "/") : describe(pod));
      }
    }
    return new InjectedPods(restartable, other);
  }

  /** Kind/name of the workload controlling the pod, seen through a Deployment's ReplicaSet. */
  private static String ownerWorkload(Pod pod) {
    OwnerReference ref =
        pod.getMetadata().getOwnerReferences() == null
            ? null
            : pod.getMetadata().getOwnerReferences().stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()))
                .findFirst()
                .orElse(null);
    if (ref == null) {
      return null;
    }
    String hash =
        pod.getMetadata().getLabels() == null
            ? null
            : pod.getMetadata().getLabels().get("pod-template-hash");
    if ("ReplicaSet".equals(ref.getKind()) && hash != null && ref.getName().endsWith("-" + hash)) {
      return "Deployment/" + ref.getName().substring(0, ref.getName().length() - hash.length() - 1);
    }
    return ref.getKind() + "/" + ref.getName();
  }

  private static String describe(Pod pod) {
    var refs = pod.getMetadata().getOwnerReferences();
    String owner =
        refs == null || refs.isEmpty()
            ? ""
            : " (of " + refs.get(0).getKind() + " " + refs.get(0).getName() + ")";
    return "Pod/" + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + owner;
  }

  @Override
  public void restart(Workload workload, String revision, String target) {
    LOG.info("restarting {} for {} (revision {})", workload.key(), target, revision);
    Map<String, String> annotations = new HashMap<>();
    annotations.put(Traceroll.RESTARTED_AT_ANNOTATION, revision);
    annotations.put(Traceroll.RESTARTED_FOR_ANNOTATION, target);
    String patch;
    try {
      patch =
          JSON.writeValueAsString(
              Map.of(
                  "spec",
                  Map.of("template", Map.of("metadata", Map.of("annotations", annotations)))));
    } catch (JsonProcessingException e) {
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

  @Override
  public String admissionProblem(Workload workload, String policyId, boolean withAgent) {
    PodTemplateSpec template =
        view.workloads(workload.namespace()).stream()
            .filter(
                o ->
                    o.getKind().equals(workload.kind())
                        && o.getMetadata().getName().equals(workload.name()))
            .findFirst()
            .map(ClusterWorkloads::template)
            .orElse(null);
    return template == null
        ? "gone from the cache"
        : admission.problem(workload, template, policyId, withAgent);
  }

  private static PodTemplateSpec template(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec().getTemplate();
    }
    if (o instanceof StatefulSet s) {
      return s.getSpec().getTemplate();
    }
    return ((DaemonSet) o).getSpec().getTemplate();
  }

  /** The operator's own Tempo and gateway are never restarted by a rollout. */
  private static boolean isOurs(HasMetadata o) {
    var labels = o.getMetadata().getLabels();
    return labels != null && Traceroll.MANAGED_BY.equals(labels.get(Traceroll.MANAGED_BY_LABEL));
  }
}
