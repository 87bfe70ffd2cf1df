package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.Collection;
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
  private final PolicyPrecedence precedence;
  private final Map<String, Cached> settings = new ConcurrentHashMap<>();

  private record Cached(String resourceVersion, InjectionSettings settings) {}

  public PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection) {
    this.policies = policies;
    this.namespaces = namespaces;
    this.precedence = new PolicyPrecedence(selection);
  }

  /** The settings of the policy that governs a pod in the namespace, if any does. */
  public Optional<InjectionSettings> resolve(String namespace, JsonNode pod) {
    Namespace ns = namespaces.apply(namespace);
    if (ns == null || precedence.selection().isProtected(namespace)) {
      return Optional.empty();
    }
    Optional<TracingPolicy> winner = precedence.winner(ns, policies.get());
    if (winner.isEmpty() || !podMatches(winner.get(), pod)) {
      return Optional.empty();
    }
    return Optional.of(settingsOf(winner.get()));
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
    String key =
        policy.getMetadata().getUid() != null
            ? policy.getMetadata().getUid()
            : PolicyPrecedence.id(policy);
    String version = String.valueOf(policy.getMetadata().getResourceVersion());
    Cached cached = settings.get(key);
    if (cached == null || !cached.resourceVersion().equals(version)) {
      cached = new Cached(version, InjectionSettings.of(policy));
      settings.put(key, cached);
    }
    return cached.settings();
  }
}
