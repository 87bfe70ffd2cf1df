package io.traceroll.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer store that keeps a lean copy of each object: what the rollout and the image probe
 * read, not the rest. The rollout caches hold every pod and workload of the cluster, so what each
 * copy drops is memory saved per pod.
 *
 * <ul>
 *   <li>Every kind: {@code metadata.managedFields} and kubectl's last-applied annotation (a copy of
 *       the whole manifest), which nothing reads; the rollout's writes are merge patches built
 *       without the cached object, so nothing dropped here is ever written back.
 *   <li>Pods, also: of the spec only the node, the pod's security context, host networking and per
 *       container its name, image, command, args, working directory, environment and security
 *       context (the image probe's copy of the container); of the status the phase, the condition
 *       types and states, and the container statuses (readiness, restarts, image digests, a probe's
 *       exit and output). Volumes, init containers, probes, resources, scheduling and the rest are
 *       not kept.
 * </ul>
 *
 * Workloads keep their spec: the rollout reads their pod templates.
 */
final class LeanStore<T extends HasMetadata> implements ItemStore<T> {
  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final BasicItemStore<T> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final UnaryOperator<T> lean;

  private LeanStore(UnaryOperator<T> lean) {
    this.lean = lean;
  }

  static LeanStore<Pod> pods() {
    return new LeanStore<>(LeanStore::pod);
  }

  static <W extends HasMetadata> LeanStore<W> workloads() {
    return new LeanStore<>(
        w -> {
          w.setMetadata(meta(w.getMetadata()));
          return w;
        });
  }

  @Override
  public String getKey(T obj) {
    return store.getKey(obj);
  }

  @Override
  public T put(String key, T obj) {
    return store.put(key, lean.apply(obj));
  }

  @Override
  public T remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<T> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public T get(String key) {
    return store.get(key);
  }

  /** The metadata without managed fields and kubectl's copy of the manifest (a fresh object). */
  static ObjectMeta meta(ObjectMeta meta) {
    if (meta == null) {
      return null;
    }
    ObjectMeta lean =
        new ObjectMeta(
            meta.getAnnotations(),
            meta.getCreationTimestamp(),
            meta.getDeletionGracePeriodSeconds(),
            meta.getDeletionTimestamp(),
            meta.getFinalizers(),
            meta.getGenerateName(),
            meta.getGeneration(),
            meta.getLabels(),
            null,
            meta.getName(),
            meta.getNamespace(),
            meta.getOwnerReferences(),
            meta.getResourceVersion(),
            meta.getSelfLink(),
            meta.getUid());
    if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(LAST_APPLIED)) {
      Map<String, String> annotations = new HashMap<>(meta.getAnnotations());
      annotations.remove(LAST_APPLIED);
      lean.setAnnotations(annotations);
    }
    return lean;
  }

  /** The pod as the rollout and the image probe read it (see the class comment). */
  static Pod pod(Pod pod) {
    Pod lean = new Pod();
    lean.setApiVersion(pod.getApiVersion());
    lean.setKind(pod.getKind());
    lean.setMetadata(meta(pod.getMetadata()));
    PodSpec spec = pod.getSpec();
    if (spec != null) {
      PodSpec s = new PodSpec();
      s.setNodeName(spec.getNodeName());
      s.setSecurityContext(spec.getSecurityContext());
      s.setHostNetwork(spec.getHostNetwork());
      s.setContainers(
          spec.getContainers() == null
              ? List.of()
              : spec.getContainers().stream().map(LeanStore::container).toList());
      lean.setSpec(s);
    }
    PodStatus status = pod.getStatus();
    if (status != null) {
      PodStatus s = new PodStatus();
      s.setPhase(status.getPhase());
      s.setReason(status.getReason());
      s.setConditions(
          status.getConditions() == null
              ? null
              : status.getConditions().stream().map(LeanStore::condition).toList());
      s.setContainerStatuses(status.getContainerStatuses());
      s.setInitContainerStatuses(status.getInitContainerStatuses());
      lean.setStatus(s);
    }
    return lean;
  }

  private static PodCondition condition(PodCondition c) {
    PodCondition lean = new PodCondition();
    lean.setType(c.getType());
    lean.setStatus(c.getStatus());
    return lean;
  }

  private static Container container(Container c) {
    return new ContainerBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withCommand(c.getCommand())
        .withArgs(c.getArgs())
        .withWorkingDir(c.getWorkingDir())
        .withEnv(c.getEnv())
        .withSecurityContext(c.getSecurityContext())
        .build();
  }
}
