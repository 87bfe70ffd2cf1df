package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import java.util.List;

/** The decision and the mutator run as the admission handler runs them, for the mutator tests. */
final class Mutations {
  private Mutations() {}

  /** The patch (empty when skipped), warnings, and the reason for a skip (null when not). */
  record Result(ArrayNode patch, List<String> warnings, String skipReason) {
    boolean changed() {
      return !patch.isEmpty();
    }
  }

  static Result mutate(JsonNode pod, String namespace, InjectionSettings settings) {
    InjectionDecision decision = InjectionDecision.of(settings, PodView.of(pod));
    if (decision instanceof InjectionDecision.Skip skip) {
      return new Result(JsonNodeFactory.instance.arrayNode(), List.of(), skip.message());
    }
    PodMutator.Result result =
        new PodMutator().mutate(pod, namespace, (InjectionDecision.Inject) decision);
    return new Result(result.patch(), result.warnings(), null);
  }
}
