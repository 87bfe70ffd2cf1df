package io.traceroll.e2e;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * On a failed e2e test, prints the tail of the operator's log, the objects of the namespaces the
 * test used and whatever else the test adds (e.g. the logs of cert-manager), so a CI failure can be
 * read without rerunning it.
 */
final class FailureDiagnostics implements TestWatcher {
  private static final int LOG_LINES = 200;

  private final Supplier<OperatorProcess> operator;
  private final Supplier<TestCluster> cluster;
  private final List<String> namespaces;
  private final Supplier<String> more;

  FailureDiagnostics(
      Supplier<OperatorProcess> operator, Supplier<TestCluster> cluster, List<String> namespaces) {
    this(operator, cluster, namespaces, () -> "");
  }

  FailureDiagnostics(
      Supplier<OperatorProcess> operator,
      Supplier<TestCluster> cluster,
      List<String> namespaces,
      Supplier<String> more) {
    this.operator = operator;
    this.cluster = cluster;
    this.namespaces = namespaces;
    this.more = more;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    StringBuilder out = new StringBuilder("\n===== e2e failure diagnostics: ");
    out.append(context.getDisplayName()).append(" =====\n");
    out.append("----- operator log -----\n");
    OperatorProcess process = operator.get();
    out.append(process == null ? "(operator not started)" : tail(process.logs()));
    for (String ns : namespaces) {
      out.append("\n----- objects in namespace ").append(ns).append(" -----\n");
      try {
        out.append(cluster.get().describe(ns));
      } catch (RuntimeException e) {
        out.append("(cannot list: ").append(e.getMessage()).append(")");
      }
    }
    try {
      out.append('\n').append(more.get());
    } catch (RuntimeException e) {
      out.append("\n(cannot collect more diagnostics: ").append(e.getMessage()).append(")");
    }
    System.err.println(out);
  }

  /** The log tails of the tools a test runs beside the operator, for the extra diagnostics. */
  static String logsOf(List<ToolProcess> tools) {
    StringBuilder out = new StringBuilder();
    for (ToolProcess tool : tools) {
      out.append("----- ").append(tool.name()).append(" log -----\n");
      out.append(tail(tool.logs())).append('\n');
    }
    return out.toString();
  }

  static String tail(String text) {
    String[] all = text.split("\n");
    int from = Math.max(0, all.length - LOG_LINES);
    return String.join("\n", Arrays.copyOfRange(all, from, all.length));
  }
}
