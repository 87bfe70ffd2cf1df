package io.traceroll.operator.sampling;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.cluster.LeanSerialization;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proof that an injected agent runs. The webhook labels the pods it injects {@code
 * traceroll.io/agent: pending}; every replica watches just those pods (read lean: {@link
 * LeanSerialization}), indexed by pod IP. When an agent polls this replica's sampling server from
 * the IP of a pending pod, the pod is patched to {@code contacted} with the time in the annotation
 * traceroll.io/agent-seen, which the rollout's health gate reads from its own pod cache. The proof
 * lives on the pod, so the leader sees it whichever replica the agent reached.
 *
 * <p>Nothing on the request path but a map lookup: patches go to one worker thread (a full queue
 * drops them; the agent polls again), and a pod already being patched is not queued twice.
 */
public final class AgentContact implements AgentSightings, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentContact.class);
  static final String IP_INDEX = "podIP";

  private final KubernetesClient client;
  private final KubernetesClient reads;
  private final Clock clock;
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final ExecutorService worker =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(1_000),
          r -> {
            Thread t = new Thread(r, "agent-contact");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param reads the client the pending pods are watched with, built on {@link LeanSerialization}
   *     (shared with the rollout caches; the caller closes it)
   */
  public AgentContact(KubernetesClient client, KubernetesClient reads) {
    this(client, reads, Clock.systemUTC());
  }

  AgentContact(KubernetesClient client, KubernetesClient reads, Clock clock) {
    this.client = client;
    this.reads = reads;
    this.clock = clock;
  }

  /** Starts watching the pending pods of these namespaces (all when empty). */
  public AgentContact watch(Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      informers.add(
          inform(
              reads
                  .pods()
                  .inAnyNamespace()
                  .withLabel(Traceroll.AGENT_LABEL, Traceroll.AGENT_PENDING)
                  .runnableInformer(0)));
    } else {
      for (String ns : namespaces) {
        informers.add(
            inform(
                reads
                    .pods()
                    .inNamespace(ns)
                    .withLabel(Traceroll.AGENT_LABEL, Traceroll.AGENT_PENDING)
                    .runnableInformer(0)));
      }
    }
    return this;
  }

  private static SharedIndexInformer<Pod> inform(SharedIndexInformer<Pod> informer) {
    informer.addIndexers(
        Map.of(
            IP_INDEX,
            pod ->
                pod.getStatus() == null || pod.getStatus().getPodIP() == null
                    ? List.of()
                    : List.of(pod.getStatus().getPodIP())));
    informer.start();
    return informer;
  }

  public boolean hasSynced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public void seen(InetAddress address, String service) {
    String ip = address.getHostAddress();
    for (SharedIndexInformer<Pod> informer : informers) {
      for (Pod pod : informer.getIndexer().byIndex(IP_INDEX, ip)) {
        if (!running(pod) || !inFlight.add(pod.getMetadata().getUid())) {
          continue;
        }
        try {
          worker.execute(() -> record(pod, service));
        } catch (RejectedExecutionException e) {
          // Queue full or closing: the agent polls again.
          inFlight.remove(pod.getMetadata().getUid());
        }
      }
    }
  }

  /**
   * Only a running pod's agent can call, and a host-network pod shares its IP with every other one
   * on the node, so its caller is unknown.
   */
  private static boolean running(Pod pod) {
    return "Running".equals(pod.getStatus().getPhase())
        && !Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
  }

  private void record(Pod pod, String service) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    try {
      client
          .pods()
          .inNamespace(ns)
          .withName(name)
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"labels\":{\""
                  + Traceroll.AGENT_LABEL
                  + "\":\""
                  + Traceroll.AGENT_CONTACTED
                  + "\"},\"annotations\":{\""
                  + Traceroll.AGENT_SEEN_ANNOTATION
                  + "\":\""
                  + clock.instant()
                  + "\"}}}");
      LOG.debug("agent of pod {}/{} ({}) contacted the operator", ns, name, service);
    } catch (KubernetesClientException e) {
      // Gone, or the API server busy: a later poll tries again.
      LOG.debug("marking pod {}/{} as contacted failed: {}", ns, name, e.getMessage());
    } finally {
      inFlight.remove(pod.getMetadata().getUid());
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    informers.forEach(SharedIndexInformer::close);
  }
}
