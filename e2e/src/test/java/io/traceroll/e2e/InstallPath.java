package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.runtime.Leadership;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One way of installing Traceroll on the test cluster (the chart, the kustomize overlay, OLM's
 * catalog), as the fixture of the test class that checks it, registered there as a static
 * extension. Before the first test (of the class and of its {@code @Nested} themes) it {@linkplain
 * #setUp() sets the path up}; it runs the operator jar out of cluster with a token of the
 * ServiceAccount the path created, hands itself to test methods that take it as a parameter, prints
 * the operator's log, the namespaces' objects and the path's own {@linkplain #diagnostics()
 * diagnostics} when a test fails, and after the last test deletes the policies' namespaces while
 * the operator still runs (so it releases their finalizers), stops the operator, {@linkplain
 * #tearDown() removes what the tests left of the install} and deletes its namespaces.
 */
abstract class InstallPath
    implements BeforeAllCallback, AfterAllCallback, TestWatcher, ParameterResolver {
  /** The operator's ServiceAccount, by the same name in every install path. */
  static final String ACCOUNT = "traceroll-operator";

  static final String CRD = "tracingpolicies.traceroll.io";

  /** Where the operator keeps the webhook certificate it issues itself (the default cert mode). */
  static final String CERTIFICATE_SECRET = "traceroll-webhook-tls";

  /** Restricted Pod Security, as on OpenShift. */
  static final Map<String, String> RESTRICTED =
      Map.of("pod-security.kubernetes.io/enforce", "restricted");

  static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  TestCluster cluster;

  /** The namespace the path installs the operator in. */
  String namespace;

  OperatorProcess operator;

  /** Every namespace the tests created, the policies' first (deleted before the install's). */
  private final List<String> namespaces = new ArrayList<>();

  private final List<String> installNamespaces = new ArrayList<>();

  /** Prepares the cluster and installs what the path installs before its tests. */
  abstract void setUp() throws Exception;

  /**
   * Removes what the tests left of the install, leniently: their own uninstall may have run, or the
   * install may have failed half-way.
   */
  abstract void tearDown() throws Exception;

  /** More for a failure's diagnostics, e.g. the logs of the tools the path runs. */
  String diagnostics() {
    return "";
  }

  KubernetesClient client() {
    return cluster.client;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    if (!isNested(context)) {
      cluster = new TestCluster();
      setUp();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (isNested(context) || cluster == null) {
      return;
    }
    try {
      releasePolicies();
    } finally {
      try {
        stopOperator();
        tearDown();
        namespaces.forEach(cluster::deleteNamespace);
      } finally {
        cluster.client.close();
      }
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    new FailureDiagnostics(() -> operator, () -> cluster, namespaces, this::diagnostics)
        .testFailed(context, cause);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType().isInstance(this);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return this;
  }

  // ---- namespaces and leftovers

  /** A namespace for the install, deleted after the policies' namespaces. */
  String installNamespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    registerInstallNamespace(ns);
    return ns;
  }

  /** A namespace of a fixed name the install creates itself, deleted after the tests too. */
  void registerInstallNamespace(String ns) {
    namespaces.add(ns);
    installNamespaces.add(ns);
  }

  /** A namespace for policies and workloads, deleted while the operator still runs. */
  String namespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    namespaces.add(0, ns);
    return ns;
  }

  /**
   * What other runs leave that an install must not meet: the release of an earlier, aborted chart
   * install (of HelmInstallE2eTest or CertManagerE2eTest) holds the cluster-wide names, so helm
   * would refuse; the webhook configuration, which the chart and the overlay create, is left by
   * out-of-cluster operators of other test classes.
   */
  void removeLeftovers() throws Exception {
    var role = cluster.client.rbac().clusterRoles().withName(ACCOUNT).get();
    if (role != null && role.getMetadata().getAnnotations() != null) {
      String ns = role.getMetadata().getAnnotations().get("meta.helm.sh/release-namespace");
      if (ns != null) {
        PinnedTool.HELM.run("uninstall", HelmInstall.RELEASE, "-n", ns, "--wait");
        cluster.deleteNamespace(ns);
      }
    }
    cluster.deleteWebhookConfiguration();
  }

  // ---- the operator, run as the install's ServiceAccount

  /** Starts the operator jar with a token of the install's ServiceAccount and the environment. */
  OperatorProcess startOperator(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("KUBECONFIG", cluster.serviceAccountKubeconfig(namespace, ACCOUNT).toString());
    operator = OperatorProcess.start(namespace, all);
    return operator;
  }

  /** Whether an operator runs that can finalize the tests' policies. */
  boolean operatorRuns() {
    return operator != null && operator.isAlive();
  }

  void stopOperator() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  /** The ServiceAccount's user name, as the API server authenticates the operator's token. */
  String user() {
    return "system:serviceaccount:" + namespace + ":" + ACCOUNT;
  }

  /** The operator's log shows no call the API server refused. */
  void assertOperatorWasRefusedNothing() {
    // A refusal reads "Forbidden" and "code=403" in fabric8's errors; a bare " 403" would also
    // match a random port such as 40383 in the start-up line.
    assertThat(operator.logs())
        .doesNotContainIgnoringCase("forbidden")
        .doesNotContainPattern("code=403\\b|\\b403 Forbidden");
  }

  /**
   * The operator's calls in the audit log, none refused, when the cluster is a local one of up.sh
   * (it keeps the log beside KUBECONFIG); empty elsewhere.
   */
  Optional<List<AuditLog.Call>> auditedCalls() {
    return AuditLog.ofCurrentCluster()
        .map(
            audit -> {
              List<AuditLog.Call> calls = audit.callsBy(user());
              assertThat(calls).as("the operator's calls in the audit log").isNotEmpty();
              assertThat(calls).as("calls the API server refused").noneMatch(c -> c.code() == 403);
              return calls;
            });
  }

  /** The certificate Secret the operator writes in its namespace (default cert mode), or null. */
  Secret certificateSecret() {
    return cluster.client.secrets().inNamespace(namespace).withName(CERTIFICATE_SECRET).get();
  }

  /** The leader Lease the operator writes in its namespace, or null. */
  Lease leaderLease() {
    return cluster.client.leases().inNamespace(namespace).withName(Leadership.LEASE_NAME).get();
  }

  /**
   * Creates a policy named {@code name} in {@code ns} that sends to Tempo in memory and instruments
   * the namespaces labelled {@code label: value}, with the sampling in YAML flow style and further
   * spec fields, one a line, e.g. {@code rollout: {strategy: Staged}}.
   */
  void createTempoPolicy(
      String ns, String name, String label, String value, String sampling, String... more) {
    cluster.create(
        ns,
        """
        apiVersion: traceroll.io/v1alpha1
        kind: TracingPolicy
        metadata: {name: %s, namespace: %s}
        spec:
          selector:
            namespaceSelector: {matchLabels: {%s: %s}}
          backend:
            tempo: {storage: {type: memory}}
          sampling: %s
        """
            .formatted(name, ns, label, value, sampling),
        more);
  }

  // ---- what an install created, and what its uninstall leaves

  /** The API server holds every object of the render. */
  void assertAllLive(Manifests objects) {
    objects.all().forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNotNull());
  }

  /** None of the render's objects is left. */
  void assertNoneLive(Manifests objects) {
    objects.all().forEach(o -> assertThat(cluster.live(o)).as(Manifests.key(o)).isNull());
  }

  /**
   * The operator's pods: as many as the Deployment's replicas, Running on KWOK nodes as ACCOUNT.
   */
  static void assertRunOnKwok(List<Pod> pods, int replicas) {
    assertThat(pods).hasSize(replicas);
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(ACCOUNT);
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    }
  }

  /** The CRD, and so every policy, outlives an uninstall: deleting it is the user's. */
  void assertCrdStays() {
    assertThat(cluster.client.apiextensions().v1().customResourceDefinitions().withName(CRD).get())
        .as("the CRD after uninstall")
        .isNotNull();
  }

  // ----

  /**
   * Deletes the policies' namespaces. While the operator runs, it finalizes their policies (and the
   * test fails if it does not); once it is stopped their finalizers are removed instead.
   */
  private void releasePolicies() {
    List<String> policyNamespaces =
        namespaces.stream().filter(ns -> !installNamespaces.contains(ns)).toList();
    policyNamespaces.forEach(cluster::deleteNamespace);
    if (operatorRuns()) {
      await()
          .atMost(TestCluster.timeout())
          .until(() -> policyNamespaces.stream().allMatch(ns -> policiesIn(ns).isEmpty()));
    } else {
      policyNamespaces.forEach(ns -> cluster.dropFinalizers(policiesIn(ns)));
    }
  }

  /** The policies in the namespace; none once an uninstall deleted the CRD (kustomize's does). */
  private List<TracingPolicy> policiesIn(String ns) {
    try {
      return cluster.client.resources(TracingPolicy.class).inNamespace(ns).list().getItems();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return List.of();
      }
      throw e;
    }
  }

  private static boolean isNested(ExtensionContext context) {
    return context.getRequiredTestClass().isAnnotationPresent(Nested.class);
  }
}
