package io.traceroll.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.runtime.InformerHandlers;
import io.traceroll.policy.ImageVerdicts;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The operator's one view of the cluster: one informer per kind, started once and read by the
 * webhook, the reconciler and the rollout alike (JOSDK's own caches of the policy it reconciles and
 * of its children aside). Reads never call the API server.
 *
 * <p>Lifecycle: {@link #startAdmission()} on every replica at start: policies, namespaces and the
 * image probe's verdicts (one ConfigMap of the operator's namespace), all the webhook needs to
 * answer, so readiness waits for nothing else. {@link #startRollout()} when this replica becomes
 * leader: Deployments, StatefulSets, DaemonSets and pods, which only the rollout and the image
 * probe read, kept as lean copies ({@link LeanStore}): they hold the whole cluster. A replica that
 * loses leadership exits, so nothing is stopped before {@link #close()}.
 */
public final class ClusterView implements AutoCloseable {
  private final KubernetesClient client;
  private KubernetesClient reads;
  private final String namespace;
  private final List<Runnable> policyListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> imageListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> namespaceListeners = new CopyOnWriteArrayList<>();
  private final List<SharedIndexInformer<? extends HasMetadata>> workloads = new ArrayList<>();
  private volatile SharedIndexInformer<TracingPolicy> policies;
  private volatile SharedIndexInformer<Namespace> namespaces;
  private volatile SharedIndexInformer<Pod> pods;
  private volatile SharedIndexInformer<ConfigMap> verdictMap;
  private volatile Verdicts verdicts = new Verdicts(null, ImageVerdicts.NONE);

  /** The verdicts parsed from one resourceVersion of the ConfigMap. */
  private record Verdicts(String resourceVersion, ImageVerdicts images) {}

  /**
   * @param namespace the operator's namespace, home of the image probe's ConfigMap
   */
  public ClusterView(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * The client the caches that see every pod watch with: one built on {@link LeanSerialization},
   * made on first use (not on the way to the first admission), shared with the agent-contact cache
   * and closed with this view. Never used to write.
   */
  public synchronized KubernetesClient reads() {
    if (reads == null) {
      reads = LeanSerialization.client(client);
    }
    return reads;
  }

  /** Starts the caches admission reads: every policy and every namespace. */
  public synchronized void startAdmission() {
    if (policies != null) {
      return;
    }
    // Only what can change which policy governs which pods: a new generation, not status writes.
    policies =
        client
            .resources(TracingPolicy.class)
            .inAnyNamespace()
            .inform(
                InformerHandlers.onChange(
                    (a, b) ->
                        !Objects.equals(
                            a.getMetadata().getGeneration(), b.getMetadata().getGeneration()),
                    () -> policyListeners.forEach(Runnable::run)),
                0);
    namespaces =
        client
            .namespaces()
            .inform(
                InformerHandlers.onChange(
                    (a, b) ->
                        !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels()),
                    () -> namespaceListeners.forEach(Runnable::run)),
                0);
    verdictMap =
        client
            .configMaps()
            .inNamespace(namespace)
            .withField("metadata.name", ImageVerdicts.CONFIG_MAP)
            .inform(
                InformerHandlers.onChange(
                    (a, b) -> !Objects.equals(a.getData(), b.getData()),
                    () -> imageListeners.forEach(Runnable::run)),
                0);
  }

  /** Starts the caches the rollout reads; called when this replica becomes leader. */
  public synchronized void startRollout() {
    if (pods != null) {
      return;
    }
    // Lean copies (LeanStore), read lean (LeanSerialization): these hold every pod and workload of
    // the cluster, and every change of any pod comes by. The four lists load side by side; this
    // returns once all are in, as the rollout's first step reads them.
    List<CompletableFuture<Void>> listed = new ArrayList<>();
    workloads.add(
        start(
            reads().apps().deployments().inAnyNamespace().runnableInformer(0),
            LeanStore.workloads(),
            listed));
    workloads.add(
        start(
            reads().apps().statefulSets().inAnyNamespace().runnableInformer(0),
            LeanStore.workloads(),
            listed));
    workloads.add(
        start(
            reads().apps().daemonSets().inAnyNamespace().runnableInformer(0),
            LeanStore.workloads(),
            listed));
    pods = start(reads().pods().inAnyNamespace().runnableInformer(0), LeanStore.pods(), listed);
    CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new)).join();
  }

  private static <T extends HasMetadata> SharedIndexInformer<T> start(
      SharedIndexInformer<T> informer, LeanStore<T> store, List<CompletableFuture<Void>> listed) {
    informer.itemStore(store);
    listed.add(informer.start().toCompletableFuture());
    return informer;
  }

  /**
   * The admission caches hold the cluster's state and follow its changes: listed, and watching.
   * Until the watch is open, a namespace created after the list would reach the cache only once it
   * opens, and a pod admitted into it meanwhile would go uninjected.
   */
  public boolean admissionSynced() {
    return policies != null && current(policies) && current(namespaces) && current(verdictMap);
  }

  private static boolean current(SharedIndexInformer<?> informer) {
    return informer.hasSynced() && informer.isWatching();
  }

  /** The rollout caches hold the cluster's state. */
  public boolean rolloutSynced() {
    return pods != null
        && pods.hasSynced()
        && workloads.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /**
   * Runs on any change of the policies that can move injection: one added, deleted, or given a new
   * generation.
   */
  public void onPolicyChange(Runnable listener) {
    policyListeners.add(listener);
  }

  /** Runs when a namespace is added or deleted, or its labels change. */
  public void onNamespaceChange(Runnable listener) {
    namespaceListeners.add(listener);
  }

  /** Runs when the image probe's verdicts change. */
  public void onImageVerdictsChange(Runnable listener) {
    imageListeners.add(listener);
  }

  /** What the image probe has learned, parsed once per version of its ConfigMap. */
  public ImageVerdicts imageVerdicts() {
    ConfigMap map =
        verdictMap == null
            ? null
            : verdictMap.getStore().getByKey(namespace + "/" + ImageVerdicts.CONFIG_MAP);
    if (map == null) {
      return ImageVerdicts.NONE;
    }
    Verdicts current = verdicts;
    String version = map.getMetadata().getResourceVersion();
    if (!Objects.equals(current.resourceVersion(), version)) {
      current = new Verdicts(version, ImageVerdicts.of(map.getData()));
      verdicts = current;
    }
    return current.images();
  }

  /** The operator's namespace. */
  public String namespace() {
    return namespace;
  }

  public List<TracingPolicy> policies() {
    return policies == null ? List.of() : policies.getStore().list();
  }

  /** A namespace by name, or null when the cache has not seen it. */
  public Namespace namespace(String name) {
    return namespaces == null ? null : namespaces.getStore().getByKey(name);
  }

  public List<Namespace> namespaces() {
    return namespaces == null ? List.of() : namespaces.getStore().list();
  }

  /** The Deployments, StatefulSets and DaemonSets of a namespace. */
  public List<HasMetadata> workloads(String namespace) {
    List<HasMetadata> out = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : workloads) {
      out.addAll(informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace));
    }
    return out;
  }

  public List<Pod> pods(String namespace) {
    return pods == null ? List.of() : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
  }

  public List<Pod> allPods() {
    return pods == null ? List.of() : pods.getStore().list();
  }

  @Override
  public synchronized void close() {
    List<SharedIndexInformer<?>> all = new ArrayList<>(workloads);
    all.add(policies);
    all.add(namespaces);
    all.add(verdictMap);
    all.add(pods);
    all.stream().filter(Objects::nonNull).forEach(SharedIndexInformer::close);
    if (reads != null) {
      reads.close();
    }
  }
}
