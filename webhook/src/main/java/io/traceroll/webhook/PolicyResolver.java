package io.traceroll.webhook;

import io.fabric8.kubernetes.api.model.Namespace;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.NamespaceSelection;
import io.traceroll.policy.Naming;
import io.traceroll.policy.PolicyPrecedence;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds the policy that governs a namespace's pods, from in-memory views of policies and namespaces
 * (informer caches in production), and keeps each policy's resolved settings until it changes.
 */
public final class PolicyResolver {
  private final Supplier<Collection<TracingPolicy>> policies;
  private final Function<String, Namespace> namespaces;
  private final PolicyPrecedence precedence;
  private final Map<String, Cached> settings = new ConcurrentHashMap<>();

  private record Cached(String resourceVersion, InjectionSettings settings) {}

  /**
   * How long a namespace missing from the cache is waited for. The API server admits pods only into
   * namespaces that exist, so a miss means the informer has not yet seen a namespace created a
   * moment ago (a manifest with a Namespace and its Deployment).
   */
  static final Duration NAMESPACE_CACHE_WAIT = Duration.ofMillis(500);

  private final Duration namespaceWait;
  private final Supplier<ImageVerdicts> images;

  /** With no image probe (every image unknown unless its spec tells). */
  public PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection) {
    this(policies, namespaces, selection, () -> ImageVerdicts.NONE);
  }

  /**
   * @param images what the image probe has learned (a cache in production)
   */
  public PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection,
      Supplier<ImageVerdicts> images) {
    this(policies, namespaces, selection, images, NAMESPACE_CACHE_WAIT);
  }

  PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection,
      Duration namespaceWait) {
    this(policies, namespaces, selection, () -> ImageVerdicts.NONE, namespaceWait);
  }

  PolicyResolver(
      Supplier<Collection<TracingPolicy>> policies,
      Function<String, Namespace> namespaces,
      NamespaceSelection selection,
      Supplier<ImageVerdicts> images,
      Duration namespaceWait) {
    this.policies = policies;
    this.namespaces = namespaces;
    this.precedence = new PolicyPrecedence(selection);
    this.images = images;
    this.namespaceWait = namespaceWait;
  }

  /** What the image probe has learned of images, as of now. */
  public ImageVerdicts images() {
    return images.get();
  }

  /** The settings of the policy that governs pods of the namespace, if any does. */
  public Optional<InjectionSettings> resolve(String namespace) {
    return resolve(namespace, true);
  }

  /**
   * As {@link #resolve(String)}; without {@code mayWait}, a namespace the cache has not seen yet
   * throws {@link NotCachedYet} instead of being waited for (a caller that must not block hands the
   * request to a thread that may).
   */
  public Optional<InjectionSettings> resolve(String namespace, boolean mayWait) {
    if (precedence.selection().isProtected(namespace)) {
      return Optional.empty();
    }
    Namespace ns = mayWait ? cachedNamespace(namespace) : namespaces.apply(namespace);
    if (ns == null) {
      if (!mayWait && !namespaceWait.isZero()) {
        throw new NotCachedYet();
      }
      return Optional.empty();
    }
    Optional<TracingPolicy> winner = precedence.winner(ns, policies.get());
    return winner.map(this::settingsOf);
  }

  /** The first UID of the namespace's OpenShift range, if it has one (read from the cache). */
  public OptionalLong namespaceUid(String namespace) {
    Namespace ns = namespaces.apply(namespace);
    return ns == null
        ? OptionalLong.empty()
        : AgentInitContainer.openShiftUid(ns.getMetadata().getAnnotations());
  }

  private Namespace cachedNamespace(String name) {
    Namespace ns = namespaces.apply(name);
    long deadline = System.nanoTime() + namespaceWait.toNanos();
    while (ns == null && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      ns = namespaces.apply(name);
    }
    return ns;
  }

  private InjectionSettings settingsOf(TracingPolicy policy) {
    String key =
        policy.getMetadata().getUid() != null
            ? policy.getMetadata().getUid()
            : Naming.policyId(policy);
    String version = String.valueOf(policy.getMetadata().getResourceVersion());
    Cached cached = settings.get(key);
    if (cached == null || !cached.resourceVersion().equals(version)) {
      cached = new Cached(version, InjectionSettings.of(policy));
      settings.put(key, cached);
    }
    return cached.settings();
  }

  /** The namespace is not in the cache yet, and the caller asked not to wait for it. */
  public static final class NotCachedYet extends RuntimeException {
    NotCachedYet() {
      super(null, null, false, false);
    }
  }
}
