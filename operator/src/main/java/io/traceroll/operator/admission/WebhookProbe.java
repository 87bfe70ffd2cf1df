package io.traceroll.operator.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.reconciler.WebhookServing;
import io.traceroll.policy.Naming;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebhookReady as the API server sees it. A policy's webhook being in the configuration is not
 * enough: the API server reads the configuration through its own watch, so pods created right after
 * the write can still be admitted without a call (a new user who applies pods as soon as the policy
 * is Ready loses some of them). So once the entry is there, the probe creates a pod in a governed
 * namespace with a server-side dry run; the webhook answers such a pod by writing the governing
 * policy's id into its probe annotation. The answer proves the API server calls us for that
 * namespace. It is kept while the policy's entry stays the same (a new CA bundle, selector or URL
 * is probed again), so a settled policy costs no call.
 *
 * <p>Where the probe cannot tell, it says so: OLM registers the webhook itself (assumed); a policy
 * that governs no namespace yet has only its registration checked; a probe pod refused by a later
 * admission step (a registry policy, a quota) leaves it registered but unconfirmed (reason
 * RegisteredUnprobed). With several API servers the dry run reaches one of them.
 */
public final class WebhookProbe implements WebhookServing {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookProbe.class);

  /** At most this many governed namespaces are tried per check (a quota may refuse one). */
  static final int NAMESPACES_TRIED = 3;

  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration LAST_RETRY = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final WebhookConfig config;

  /** Policy uid -> the policy's webhook entry (as JSON) the API server was seen to call. */
  private final Map<String, String> confirmed = new ConcurrentHashMap<>();

  /** Policy uid -> the entry last found unanswered (logged once per entry). */
  private final Map<String, String> unanswered = new ConcurrentHashMap<>();

  /** Policy uid -> checks in a row that found it not serving (for the back-off). */
  private final Map<String, Integer> misses = new ConcurrentHashMap<>();

  public WebhookProbe(KubernetesClient client, WebhookConfig config) {
    this.client = client;
    this.config = config;
  }

  @Override
  public Verdict check(TracingPolicy policy, List<String> governedNamespaces) {
    if (!config.enabled() || config.certMode() == WebhookConfig.CertMode.OLM) {
      return ASSUMED;
    }
    Optional<String> entry = registeredEntry(policy);
    String uid = policy.getMetadata().getUid();
    if (entry.isEmpty()) {
      return notServing(
          uid,
          "NotRegistered",
          "waiting for the admission webhook to be registered for this policy");
    }
    if (entry.get().equals(confirmed.get(uid))) {
      return serving();
    }
    if (governedNamespaces.isEmpty()) {
      misses.remove(uid);
      return new Verdict(
          true,
          "Registered",
          "the admission webhook is registered; it is confirmed by a probe pod once a namespace"
              + " is governed");
    }
    String refused = null;
    for (String namespace : governedNamespaces.stream().sorted().limit(NAMESPACES_TRIED).toList()) {
      Answer answer = probe(namespace, Naming.policyId(policy));
      switch (answer.kind()) {
        case ANSWERED -> {
          confirmed.put(uid, entry.get());
          misses.remove(uid);
          return serving();
        }
        case UNANSWERED -> {
          if (!entry.get().equals(unanswered.put(uid, entry.get()))) {
            LOG.info("policy {}: {}; probing again", Naming.policyId(policy), answer.detail());
          }
          return notServing(uid, "NotServing", answer.detail());
        }
        case REFUSED -> refused = answer.detail();
      }
    }
    // Refused by a later admission step (a registry policy, a quota): the webhook may well have
    // been called, and the probe cannot tell. Registered is all that is known; probed again later.
    misses.remove(uid);
    return new Verdict(
        true,
        "RegisteredUnprobed",
        "the admission webhook is registered, but the API server's use of it is not confirmed: "
            + refused);
  }

  @Override
  public void forget(TracingPolicy policy) {
    confirmed.remove(policy.getMetadata().getUid());
    unanswered.remove(policy.getMetadata().getUid());
    misses.remove(policy.getMetadata().getUid());
  }

  /**
   * Asked again after 0.5 s, then twice as long each time up to 30 s: the API server's watch
   * usually catches up within a second, while a webhook it cannot reach would otherwise cost a
   * reconcile thread a timed-out probe every second.
   */
  private Verdict notServing(String uid, String reason, String message) {
    int n = misses.merge(uid, 1, Integer::sum);
    Duration after = FIRST_RETRY.multipliedBy(1L << Math.min(n - 1, 6));
    return new Verdict(
        false, reason, message, after.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : after);
  }

  private static Verdict serving() {
    return new Verdict(
        true,
        "Serving",
        "the API server calls the admission webhook for the governed namespaces (probed)");
  }

  /** The policy's webhook entry as JSON when it is in the configuration with a CA, else empty. */
  private Optional<String> registeredEntry(TracingPolicy policy) {
    MutatingWebhookConfiguration mwc = InstallOwnership.configuration(client);
    if (mwc == null || mwc.getWebhooks() == null) {
      return Optional.empty();
    }
    String name = Naming.webhook(policy);
    for (MutatingWebhook w : mwc.getWebhooks()) {
      if (w.getName().equals(name)
          && (config.certMode() == WebhookConfig.CertMode.CERT_MANAGER
              || w.getClientConfig().getCaBundle() != null)) {
        return Optional.of(Serialization.asJson(w));
      }
    }
    return Optional.empty();
  }

  private enum Kind {
    ANSWERED,
    UNANSWERED,
    REFUSED
  }

  private record Answer(Kind kind, String detail) {}

  /** Whether the API server called the webhook for this policy's probe pod in the namespace. */
  private Answer probe(String namespace, String policyId) {
    Pod admitted;
    try {
      admitted = client.resource(probePod(namespace)).dryRun().create();
    } catch (KubernetesClientException e) {
      String message = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
      String detail = "a dry-run probe pod in namespace " + namespace + " was refused: " + message;
      // Unavailable, throttled, or a namespace whose default ServiceAccount is not there yet: no
      // pod is created there now, so nothing is decided; asked again shortly.
      boolean passing =
          e.getCode() == 0
              || e.getCode() == 429
              || e.getCode() >= 500
              || (message != null && message.contains("service account"));
      return new Answer(passing ? Kind.UNANSWERED : Kind.REFUSED, detail);
    }
    Map<String, String> annotations = admitted.getMetadata().getAnnotations();
    String answer =
        annotations == null ? null : annotations.get(Traceroll.WEBHOOK_PROBE_ANNOTATION);
    if (policyId.equals(answer)) {
      return new Answer(Kind.ANSWERED, null);
    }
    return new Answer(
        Kind.UNANSWERED,
        "the API server does not call the admission webhook for namespace "
            + namespace
            + " yet (a dry-run probe pod came back "
            + (answer == null || answer.equals("?") ? "unanswered" : "answered for " + answer)
            + "); new pods there would start without the agent");
  }

  /**
   * A pod every usual admission step accepts: restricted security context, no token, nothing to
   * pull (a dry run stores and runs nothing).
   */
  static Pod probePod(String namespace) {
    return new PodBuilder()
        .withNewMetadata()
        .withGenerateName("traceroll-webhook-probe-")
        .withNamespace(namespace)
        .addToAnnotations(Traceroll.WEBHOOK_PROBE_ANNOTATION, "?")
        .addToLabels("app.kubernetes.io/managed-by", "traceroll")
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(65532L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("probe")
        .withImage("traceroll.invalid/webhook-probe:never-pulled")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .build();
  }
}
