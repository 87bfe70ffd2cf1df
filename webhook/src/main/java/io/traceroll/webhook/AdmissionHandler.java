package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.Traceroll;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers AdmissionReview requests for pods. Fails open: whatever goes wrong inside, the pod is
 * admitted unchanged with a warning; only a request that is not an AdmissionReview gets a 400.
 */
public final class AdmissionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How an admission ended; metrics count them by this. */
  public enum Outcome {
    /** The agent was injected (a patch was returned). */
    INJECTED,
    /** The pod is governed but already carries the injection: nothing to change. */
    UNCHANGED,
    /** Not ours to inject: not a pod CREATE, no governing policy, or the pod opted out. */
    SKIPPED,
    /**
     * The operator's dry-run probe pod: answered with the governing policy's id, nothing injected.
     */
    PROBED,
    /** Something failed inside; the pod was admitted unchanged with a warning. */
    FAILED_OPEN,
    /** Not an AdmissionReview at all; answered 400. */
    BAD_REQUEST
  }

  /**
   * Told about every admission, on the admitting thread; the operator wires it to metrics and, when
   * self-tracing is on, to a span around the admission.
   */
  public interface Listener {
    /** Once per request, with the pod's namespace when the request names one (else null). */
    void admitted(String namespace, Outcome outcome, long nanos);

    /** Called first; the scope is closed once the answer is built. By default there is none. */
    default Scope started() {
      return Scope.NONE;
    }
  }

  /** What a listener keeps open around one admission (a trace span, say). */
  public interface Scope extends AutoCloseable {
    Scope NONE = () -> {};

    @Override
    void close();
  }

  /** An HTTP answer: status code and JSON body. */
  public record Response(int status, byte[] body) {}

  private final PolicyResolver resolver;
  private final PodMutator mutator = new PodMutator();
  private final Listener listener;

  public AdmissionHandler(PolicyResolver resolver, Listener listener) {
    this.resolver = resolver;
    this.listener = listener;
  }

  public Response handle(byte[] body) {
    return handle(body, true);
  }

  /**
   * The answer, or null when it would have to wait for the namespace cache (a namespace created a
   * moment ago): a caller that must not block then asks {@link #handle(byte[])} on a thread that
   * may. Nothing is counted for an answer not given.
   */
  public Response handleWithoutWaiting(byte[] body) {
    return handle(body, false);
  }

  private Response handle(byte[] body, boolean mayWait) {
    long start = System.nanoTime();
    try (Scope scope = listener.started()) {
      return answer(body, start, mayWait);
    } catch (PolicyResolver.NotCachedYet e) {
      return null;
    }
  }

  private Response answer(byte[] body, long start, boolean mayWait) {
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (IOException e) {
      return badRequest("request body is not JSON: " + e.getMessage(), start);
    }
    JsonNode request = review == null ? null : review.get("request");
    if (request == null
        || !"AdmissionReview".equals(review.path("kind").asText())
        || !request.path("uid").isTextual()) {
      return badRequest("expected an AdmissionReview with request.uid", start);
    }
    String uid = request.get("uid").asText();
    String apiVersion = review.path("apiVersion").asText("admission.k8s.io/v1");
    String namespace = namespace(request);
    Outcome outcome;
    ObjectNode response;
    try {
      Decision decision = decide(request, namespace, mayWait);
      outcome = decision.outcome();
      response = allowed(uid, decision.patch(), decision.warnings());
    } catch (PolicyResolver.NotCachedYet e) {
      throw e;
    } catch (RuntimeException e) {
      // Fail open: never block a pod because of us.
      LOG.warn("admission {} failed open: {}", uid, e.toString());
      outcome = Outcome.FAILED_OPEN;
      response =
          allowed(
              uid, null, List.of("traceroll: tracing not injected (internal error: " + e + ")"));
    }
    listener.admitted(namespace.isEmpty() ? null : namespace, outcome, System.nanoTime() - start);
    ObjectNode out = JSON.createObjectNode();
    out.put("apiVersion", apiVersion);
    out.put("kind", "AdmissionReview");
    out.set("response", response);
    return new Response(200, write(out));
  }

  private record Decision(Outcome outcome, ArrayNode patch, List<String> warnings) {}

  /** The request's namespace, else the pod's own; empty when neither names one. */
  private static String namespace(JsonNode request) {
    return request
        .path("namespace")
        .asText(request.path("object").path("metadata").path("namespace").asText());
  }

  private Decision decide(JsonNode request, String namespace, boolean mayWait) {
    JsonNode pod = request.get("object");
    if (!"Pod".equals(request.path("kind").path("kind").asText())
        || !"CREATE".equals(request.path("operation").asText())
        || pod == null
        || !pod.isObject()) {
      return new Decision(Outcome.SKIPPED, null, List.of());
    }
    Optional<InjectionSettings> settings = resolver.resolve(namespace, mayWait);
    if (settings.isEmpty()) {
      return new Decision(Outcome.SKIPPED, null, List.of());
    }
    if (request.path("dryRun").asBoolean(false)
        && pod.path("metadata").path("annotations").has(Traceroll.WEBHOOK_PROBE_ANNOTATION)) {
      return new Decision(Outcome.PROBED, probeAnswer(settings.get().policyId()), List.of());
    }
    InjectionDecision decision =
        InjectionDecision.of(settings.get(), PodView.of(pod), namespace, resolver.images());
    if (decision instanceof InjectionDecision.Skip skip) {
      // The one skip the user should hear of: the pod asked for tracing some other way.
      return new Decision(
          Outcome.SKIPPED,
          null,
          skip.reason() == InjectionDecision.Reason.AGENT_PRESENT
              ? List.of("traceroll: " + skip.message())
              : List.of());
    }
    InjectionDecision.Inject inject = (InjectionDecision.Inject) decision;
    PodMutator.Result result =
        mutator.mutate(pod, namespace, resolver.namespaceUid(namespace), inject);
    return new Decision(
        result.changed() ? Outcome.INJECTED : Outcome.UNCHANGED,
        result.changed() ? result.patch() : null,
        result.warnings());
  }

  /** Sets the probe annotation to the policy's id: the API server called us, for that policy. */
  private static ArrayNode probeAnswer(String policyId) {
    ArrayNode patch = JSON.createArrayNode();
    patch
        .addObject()
        .put("op", "replace")
        .put(
            "path",
            "/metadata/annotations/" + Traceroll.WEBHOOK_PROBE_ANNOTATION.replace("/", "~1"))
        .put("value", policyId);
    return patch;
  }

  private static ObjectNode allowed(String uid, ArrayNode patch, List<String> warnings) {
    ObjectNode response = JSON.createObjectNode();
    response.put("uid", uid);
    response.put("allowed", true);
    if (patch != null && !patch.isEmpty()) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(write(patch)));
    }
    if (!warnings.isEmpty()) {
      ArrayNode w = response.putArray("warnings");
      warnings.forEach(w::add);
    }
    return response;
  }

  private Response badRequest(String message, long start) {
    listener.admitted(null, Outcome.BAD_REQUEST, System.nanoTime() - start);
    ObjectNode error = JSON.createObjectNode();
    error.put("error", message);
    return new Response(400, write(error));
  }

  private static byte[] write(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      return ("{\"error\":\"" + e.getMessage() + "\"}").getBytes(StandardCharsets.UTF_8);
    }
  }
}
