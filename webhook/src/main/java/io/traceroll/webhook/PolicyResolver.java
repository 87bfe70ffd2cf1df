package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the policy that governs a pod, from in-memory views of policies and namespaces (informer
 * caches in production), and keeps each policy's resolved settings until the policy changes.
 */
public final class PolicyResolver {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<Collection<TracingPolicy>> policies;
  private final Function<String, Namespace> namespaces;
  private final NamespaceSelection selection;
  private final Map<String, Cached> settings = new ConcurrentHashMap<>();

  private record Cached(String resourceVersion, InjectionSettings settings) {}

  public PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection) {
    this.policies = policies;
    this.namespaces = namespaces;
    this.selection = selection;
  }

  /** The settings of the policy that governs a pod in the namespace, if any does. */
  public Optional<InjectionSettings> resolve(String namespace, JsonNode pod) {
    Namespace ns = namespaces.apply(namespace);
    if (ns == null || selection.isProtected(namespace)) {
      return Optional.empty();
    }
    Optional<TracingPolicy> winner = winner(ns, policies.get());
    if (winner.isEmpty() || !podMatches(winner.get(), pod)) {
      return Optional.empty();
    }
    return Optional.of(settingsOf(winner.get()));
  }

  /**
   * The policy governing a namespace among those that select it: the one the namespace names with
   * the label traceroll.io/policy ({@code <ns>.<name>}), else the oldest.
   */
  public Optional<TracingPolicy> winner(Namespace namespace, Collection<TracingPolicy> all) {
    List<TracingPolicy> candidates =
        all.stream()
            .filter(p -> p.getSpec() != null && p.getSpec().getBackend() != null)
            .filter(p -> selection.selects(p, namespace))
            .toList();
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> labels = namespace.getMetadata().getLabels();
    String chosen = labels == null ? null : labels.get(Traceroll.POLICY_LABEL);
    if (chosen != null) {
      Optional<TracingPolicy> named =
          candidates.stream().filter(p -> id(p).equals(chosen)).findFirst();
      if (named.isPresent()) {
        return named;
      }
    }
    return candidates.stream()
        .min(
            Comparator.comparing(
                    (TracingPolicy p) -> p.getMetadata().getCreationTimestamp(),
                    Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(PolicyResolver::id));
  }

  /** {@code <namespace>.<name>}, the form the traceroll.io/policy label uses. */
  public static String id(TracingPolicy policy) {
    return policy.getMetadata().getNamespace() + "." + policy.getMetadata().getName();
  }

  private static boolean podMatches(TracingPolicy policy, JsonNode pod) {
    var selector = policy.getSpec().getSelector().getPodSelector();
    if (selector == null) {
      return true;
    }
    @SuppressWarnings("unchecked")
    Map<String, String> labels = JSON.convertValue(pod.path("metadata").path("labels"), Map.class);
    return LabelSelectors.matches(selector, labels);
  }

  private InjectionSettings settingsOf(TracingPolicy policy) {
    String key = policy.getMetadata().getUid() != null ? policy.getMetadata().getUid() : id(policy);
    String version = String.valueOf(policy.getMetadata().getResourceVersion());
    Cached cached = settings.get(key);
    if (cached == null || !cached.resourceVersion().equals(version)) {
      cached = new Cached(version, InjectionSettings.of(policy));
      settings.put(key, cached);
    }
    return cached.settings();
  }
}
