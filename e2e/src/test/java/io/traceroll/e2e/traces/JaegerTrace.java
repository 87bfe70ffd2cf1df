package io.traceroll.e2e.traces;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One trace as the Jaeger query API returns it, flattened so tests assert on plain fields. */
public record JaegerTrace(String traceId, List<Span> spans) {

  /**
   * A span with its process (service name and resource attributes) resolved. {@code kind} is the
   * OTLP span kind in lower case ("server", "client", "internal"...); {@code parentSpanId} is the
   * CHILD_OF reference, or null for a root span.
   */
  public record Span(
      String spanId,
      String operationName,
      String serviceName,
      String kind,
      String parentSpanId,
      Map<String, String> tags,
      Map<String, String> processTags) {

    public boolean isChildOf(Span parent) {
      return parent.spanId().equals(parentSpanId);
    }
  }

  /** Parses one element of the query API's {@code data} array. */
  public static JaegerTrace fromJson(JsonNode trace) {
    JsonNode processes = trace.path("processes");
    List<Span> spans = new ArrayList<>();
    for (JsonNode span : trace.path("spans")) {
      JsonNode process = processes.path(span.path("processID").asText());
      Map<String, String> tags = tags(span.path("tags"));
      spans.add(
          new Span(
              span.path("spanID").asText(),
              span.path("operationName").asText(),
              process.path("serviceName").asText(),
              tags.getOrDefault("span.kind", "internal"),
              parentSpanId(span.path("references")),
              tags,
              tags(process.path("tags"))));
    }
    return new JaegerTrace(trace.path("traceID").asText(), List.copyOf(spans));
  }

  /** The names of the services that contributed spans. */
  public Set<String> services() {
    Set<String> services = new TreeSet<>();
    spans.forEach(s -> services.add(s.serviceName()));
    return services;
  }

  /** The first span of that service and kind, e.g. {@code span("checkout", "server")}. */
  public Optional<Span> span(String serviceName, String kind) {
    return spans.stream()
        .filter(s -> s.serviceName().equals(serviceName) && s.kind().equals(kind))
        .findFirst();
  }

  private static String parentSpanId(JsonNode references) {
    for (JsonNode reference : references) {
      if ("CHILD_OF".equals(reference.path("refType").asText())) {
        return reference.path("spanID").asText();
      }
    }
    return null;
  }

  private static Map<String, String> tags(JsonNode tags) {
    Map<String, String> map = new LinkedHashMap<>();
    tags.forEach(tag -> map.put(tag.path("key").asText(), tag.path("value").asText()));
    return Collections.unmodifiableMap(map);
  }
}
