package io.traceroll.e2e;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed e2e test, prints the tail of the operator's log (and of the tools run beside it) and
 * the objects of the namespaces the test used, so a CI failure can be read without rerunning it.
 */
final class FailureDiagnostics implements TestWatcher {
  private static final int LOG_LINES = 200;

  private final Supplier<OperatorProcess> operator;
  private final Supplier<TestCluster> cluster;
  private final List<String> namespaces;
  private final Supplier<List<ToolProcess>> tools;

  FailureDiagnostics(
      Supplier<OperatorProcess> operator, Supplier<TestCluster> cluster, List<String> namespaces) {
    this(operator, cluster, namespaces, List::of);
  }

  /** Also prints the log tails of the tools the test runs beside the operator (e.g. OLM). */
  FailureDiagnostics(
      Supplier<OperatorProcess> operator,
      Supplier<TestCluster> cluster,
      List<String> namespaces,
      Supplier<List<ToolProcess>> tools) {
    this.operator = operator;
    this.cluster = cluster;
    this.namespaces = namespaces;
    this.tools = tools;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    StringBuilder out = new StringBuilder("\n===== e2e failure diagnostics: ");
    out.append(context.getDisplayName()).append(" =====\n");
    out.append("----- operator log -----\n");
    OperatorProcess process = operator.get();
    out.append(process == null ? "(operator not started)" : tail(process.logs()));
    for (ToolProcess tool : tools.get()) {
      out.append("\n----- ").append(tool.name()).append(" log -----\n");
      out.append(tail(tool.logs()));
    }
    for (String ns : namespaces) {
      out.append("\n----- objects in namespace ").append(ns).append(" -----\n");
      try {
        out.append(cluster.get().describe(ns));
      } catch (RuntimeException e) {
        out.append("(cannot list: ").append(e.getMessage()).append(")");
      }
    }
    System.err.println(out);
  }

  private static String tail(String text) {
    String[] all = text.split("\n");
    int from = Math.max(0, all.length - LOG_LINES);
    return String.join("\n", Arrays.copyOfRange(all, from, all.length));
  }
}
