package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Starts the CRD and one operator process per test class; on a failure prints the operator log and
 * the objects of the namespaces the test used.
 */
abstract class OperatorE2eBase {
  static TestCluster cluster;
  static OperatorProcess operator;
  static final List<String> namespaces = new ArrayList<>();

  @RegisterExtension
  final FailureDiagnostics diagnostics =
      new FailureDiagnostics(() -> operator, () -> cluster, namespaces);

  @BeforeAll
  static void startOperator() throws Exception {
    cluster = new TestCluster();
    cluster.installCrd();
    cluster.ensureNamespace(TestCluster.OPERATOR_NAMESPACE);
    operator = OperatorProcess.start(TestCluster.OPERATOR_NAMESPACE, Map.of());
  }

  /**
   * Deletes the test namespaces while the operator still runs, so it can release its policies'
   * finalizers, then stops it.
   */
  @AfterAll
  static void stopOperator() throws Exception {
    for (String ns : namespaces) {
      cluster.deleteNamespace(ns);
    }
    try {
      await()
          .atMost(TestCluster.timeout())
          .until(
              () ->
                  namespaces.stream()
                      .allMatch(
                          ns ->
                              cluster
                                  .client
                                  .resources(TracingPolicy.class)
                                  .inNamespace(ns)
                                  .list()
                                  .getItems()
                                  .isEmpty()));
    } finally {
      namespaces.clear();
      if (operator != null) {
        operator.close();
      }
      cluster.client.close();
    }
  }

  static synchronized String namespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    namespaces.add(ns);
    return ns;
  }
}
