package io.traceroll.policy;

import io.traceroll.policy.PodView.ContainerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tracing agents a container already starts, as its spec shows them: a {@code -javaagent:} in its
 * command, arguments or environment (JAVA_TOOL_OPTIONS, JAVA_OPTS, KAFKA_OPTS, ...) that names an
 * OpenTelemetry agent or another vendor's tracer. A second tracing agent in one JVM instruments
 * every call twice or fails at start, so such a container never gets ours. Agents of other kinds
 * (the Prometheus JMX exporter, say) are left to run beside ours. Our own agent, under the
 * webhook's mount path, is not counted: re-admitting an injected pod is not a second agent.
 */
public final class TracingAgents {
  private static final Pattern JAVAAGENT = Pattern.compile("-javaagent:([^\\s\"'=]+)");

  /** Words in an agent jar's path that name a tracer. */
  private static final List<String> TRACERS =
      List.of(
          "opentelemetry",
          "otel",
          "dd-java-agent",
          "datadog",
          "newrelic",
          "elastic-apm",
          "applicationinsights",
          "skywalking",
          "pinpoint",
          "glowroot",
          "instana",
          "appdynamics",
          "dynatrace",
          "oneagent",
          "lightstep",
          "honeycomb",
          "splunk");

  private TracingAgents() {}

  /** The path of the first tracing agent the container starts, if any. */
  static Optional<String> of(ContainerView c) {
    List<String> values = new ArrayList<>(c.command());
    c.env().values().forEach(values::add);
    for (String value : values) {
      Optional<String> agent = inOptions(value);
      if (agent.isPresent()) {
        return agent;
      }
    }
    return Optional.empty();
  }

  /** The path of the first tracing agent these JVM options load, if any. */
  public static Optional<String> inOptions(String options) {
    if (options == null) {
      return Optional.empty();
    }
    Matcher m = JAVAAGENT.matcher(options);
    while (m.find()) {
      String path = m.group(1);
      if (!path.startsWith(Naming.AGENT_MOUNT_PATH) && isTracer(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  private static boolean isTracer(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    String base = lower.substring(lower.lastIndexOf('/') + 1);
    // The OpenTelemetry Operator and AppDynamics both ship the agent as plain javaagent.jar.
    return base.equals("javaagent.jar") || TRACERS.stream().anyMatch(lower::contains);
  }
}
