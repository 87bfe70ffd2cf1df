package io.traceroll.operator.sampling;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.child.ChildObjects;
import io.traceroll.operator.runtime.InformerHandlers;
import io.traceroll.policy.Naming;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strategies of every policy, read from the policies' sampling ConfigMaps, and the choice of
 * which policy answers a request. Agents dial their policy's own Service ({@code
 * <policy>-sampling.<namespace>.svc}), so the host they asked for names the policy; a request to
 * any other address is answered by the policy that lists the service, else by the oldest policy.
 */
public final class SamplingStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SamplingStore.class);

  /** One policy's strategies. */
  record PolicyStrategies(String namespace, String policy, Instant created, StrategyTable table) {}

  private static final Comparator<PolicyStrategies> OLDEST_FIRST =
      Comparator.comparing(PolicyStrategies::created)
          .thenComparing(PolicyStrategies::namespace)
          .thenComparing(PolicyStrategies::policy);

  private final Map<String, PolicyStrategies> policies = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();
  private final Optional<String[]> ownService;

  /**
   * @param ownServiceHost the operator's own sampling Service; its name has a policy's shape
   *     ({@code traceroll-sampling.<ns>.svc}) but names no policy
   */
  public SamplingStore(String ownServiceHost) {
    this.ownService = policyOf(ownServiceHost);
  }

  /**
   * Keeps the store current from the sampling ConfigMaps in the given namespaces (all if empty).
   */
  public void watch(KubernetesClient client, Set<String> namespaces) {
    Map<String, String> labels =
        Map.of(
            Traceroll.MANAGED_BY_LABEL,
            Traceroll.MANAGED_BY,
            Traceroll.COMPONENT_LABEL,
            ChildObjects.SAMPLING_COMPONENT);
    ResourceEventHandler<ConfigMap> handler =
        InformerHandlers.of(
            this::apply,
            cm -> {
              String policy = cm.getMetadata().getLabels().get(Traceroll.POLICY_NAME_LABEL);
              policies.remove(key(cm.getMetadata().getNamespace(), policy));
            });
    if (namespaces.isEmpty()) {
      informers.add(client.configMaps().inAnyNamespace().withLabels(labels).inform(handler));
    } else {
      for (String ns : namespaces) {
        informers.add(client.configMaps().inNamespace(ns).withLabels(labels).inform(handler));
      }
    }
  }

  public boolean hasSynced() {
    return informers.stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** Reads a policy's sampling ConfigMap; a document outside the format keeps the last good one. */
  void apply(ConfigMap cm) {
    String namespace = cm.getMetadata().getNamespace();
    String policy = cm.getMetadata().getLabels().get(Traceroll.POLICY_NAME_LABEL);
    String json =
        cm.getData() == null ? null : cm.getData().get(SamplingConfigMapDependent.STRATEGIES_KEY);
    if (policy == null || json == null) {
      return;
    }
    try {
      StrategyTable table = StrategyTable.of(StrategiesFile.parse(json));
      Instant created =
          cm.getMetadata().getCreationTimestamp() == null
              ? Instant.EPOCH
              : Instant.parse(cm.getMetadata().getCreationTimestamp());
      put(namespace, policy, created, table);
    } catch (Exception e) {
      LOG.warn(
          "policy {}/{}: sampling ConfigMap {} is not a strategies document, still serving the"
              + " previous one: {}",
          namespace,
          policy,
          cm.getMetadata().getName(),
          e.getMessage());
    }
  }

  void put(String namespace, String policy, Instant created, StrategyTable table) {
    policies.put(key(namespace, policy), new PolicyStrategies(namespace, policy, created, table));
  }

  /**
   * What to answer a service that asked at the given host ({@code Host} or {@code :authority}).
   * Empty when the host names a policy that does not exist (yet, or any more): its agents keep what
   * they have rather than take another policy's sampling.
   */
  public Optional<SamplingAnswer> answer(String host, String service) {
    Optional<String[]> named =
        policyOf(host).filter(p -> ownService.isEmpty() || !Arrays.equals(p, ownService.get()));
    if (named.isPresent()) {
      PolicyStrategies p = policies.get(key(named.get()[1], named.get()[0]));
      return p == null ? Optional.empty() : Optional.of(p.table().answerFor(service));
    }
    List<PolicyStrategies> all = policies.values().stream().sorted(OLDEST_FIRST).toList();
    for (PolicyStrategies p : all) {
      Optional<SamplingAnswer> listed = p.table().listed(service);
      if (listed.isPresent()) {
        return listed;
      }
    }
    return all.stream().findFirst().map(p -> p.table().answerFor(service));
  }

  /** {policy, namespace} when the host is a policy's sampling Service name. */
  static Optional<String[]> policyOf(String host) {
    if (host == null) {
      return Optional.empty();
    }
    String name = host.toLowerCase(Locale.ROOT);
    int colon = name.lastIndexOf(':');
    if (colon > 0 && name.indexOf(':') == colon) {
      name = name.substring(0, colon);
    }
    String[] labels = name.split("\\.");
    String policy = labels.length < 3 ? null : Naming.policyOfSamplingService(labels[0]);
    if (policy == null || !labels[2].equals("svc")) {
      return Optional.empty();
    }
    return Optional.of(new String[] {policy, labels[1]});
  }

  private static String key(String namespace, String policy) {
    return namespace + "/" + policy;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}
