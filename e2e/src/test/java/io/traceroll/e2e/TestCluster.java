package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The cluster KUBECONFIG names (the local one in make test; kind would do as well). */
final class TestCluster {
  static final Path CRD = Path.of("../crds/tracingpolicies.traceroll.io-v1.yml");
  static final String OPERATOR_NAMESPACE = "traceroll-system";
  static final String WEBHOOK_CONFIGURATION = "traceroll-webhook";

  final KubernetesClient client = new KubernetesClientBuilder().build();

  /** Installs (or updates) the CRD and waits until the API server serves it. */
  void installCrd() throws IOException {
    installCrd(CRD);
  }

  /** Installs (or updates) the CRD in the file and waits until the API server serves it. */
  void installCrd(Path file) throws IOException {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(file)) {
      crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
    client.resource(crd).fieldManager("traceroll-e2e").forceConflicts().serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                "Established".equals(cond.getType())
                                    && "True".equals(cond.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  /** A new namespace with a unique name, optionally labelled. */
  String createNamespace(String prefix, Map<String, String> labels) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    client
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return name;
  }

  void ensureNamespace(String name) {
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
  }

  /** The live object a manifest describes, or null. */
  GenericKubernetesResource live(ObjectNode object) {
    var resources =
        client.genericKubernetesResources(
            object.path("apiVersion").asText(), object.path("kind").asText());
    String ns = object.at("/metadata/namespace").asText("");
    String name = object.at("/metadata/name").asText();
    return ns.isEmpty()
        ? resources.withName(name).get()
        : resources.inNamespace(ns).withName(name).get();
  }

  /** The operator pods an install path's Deployment runs in the namespace. */
  List<Pod> operatorPods(String namespace) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("app.kubernetes.io/component", "operator")
        .list()
        .getItems();
  }

  void deleteNamespace(String name) {
    client.namespaces().withName(name).delete();
  }

  /** The configuration an install path creates; an out-of-cluster operator may leave one too. */
  void deleteWebhookConfiguration() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(WEBHOOK_CONFIGURATION)
        .withTimeout(30, TimeUnit.SECONDS)
        .delete();
  }

  /**
   * A kubeconfig for the API server of KUBECONFIG that authenticates with a token of a
   * ServiceAccount: an operator run with it has exactly that account's RBAC, as in its pod.
   */
  Path serviceAccountKubeconfig(String namespace, String account) throws IOException {
    String token =
        client
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(account)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(3600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config admin = client.getConfiguration();
    String ca =
        admin.getCaCertData() != null
            ? admin.getCaCertData()
            : Base64.getEncoder()
                .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster: {server: "%s", certificate-authority-data: %s}
        users:
        - name: %s
          user: {token: %s}
        contexts:
        - name: test
          context: {cluster: test, user: %s}
        current-context: test
        """
            .formatted(admin.getMasterUrl(), ca, account, token, account);
    Path file = Path.of("target", "operator-" + namespace + ".kubeconfig");
    Files.createDirectories(file.getParent());
    Files.writeString(file, kubeconfig);
    return file;
  }

  // ---- policies and the webhook (of the install paths, which create it by name)

  TracingPolicy policy(String ns, String name) {
    return client.resources(TracingPolicy.class).inNamespace(ns).withName(name).get();
  }

  /** The status of the policy's Ready condition, or null. */
  String readyStatus(String ns, String name) {
    return readyStatus(policy(ns, name));
  }

  static String readyStatus(TracingPolicy policy) {
    if (policy == null || policy.getStatus() == null) {
      return null;
    }
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  void deletePolicy(String ns, String name) {
    client.resources(TracingPolicy.class).inNamespace(ns).withName(name).delete();
  }

  /**
   * Removes the finalizers of policies whose operator is gone, so that deleting them, their
   * namespace or the CRD does not wait for it.
   */
  void dropFinalizers(List<TracingPolicy> policies) {
    for (TracingPolicy left : policies) {
      client
          .resource(left)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }
  }

  /** The webhook configuration the chart and the overlay create by name, or null. */
  MutatingWebhookConfiguration webhookConfiguration() {
    return client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(WEBHOOK_CONFIGURATION)
        .get();
  }

  /** A pod created in the namespace with dry run: as the API server admitted it. */
  Pod dryRunPod(String ns) {
    Pod probe = new Pod();
    probe.setMetadata(new ObjectMetaBuilder().withGenerateName("probe-").withNamespace(ns).build());
    probe.setSpec(
        new PodSpecBuilder()
            .addToContainers(
                new ContainerBuilder().withName("app").withImage("example/java-app:1").build())
            .build());
    return client.resource(probe).dryRun().create();
  }

  /**
   * Waits until the API server, calling the webhook, admits pods of the namespace with the agent.
   */
  void awaitInjects(String ns) {
    await()
        .atMost(TestCluster.timeout())
        .pollInterval(Duration.ofMillis(500))
        .until(() -> annotations(dryRunPod(ns)).containsKey(Traceroll.INJECTED_ANNOTATION));
  }

  static Map<String, String> annotations(HasMetadata o) {
    Map<String, String> annotations = o.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /**
   * Creates the object the YAML describes in the namespace, with {@code specFields} (e.g. {@code
   * replicas: 1}) added to the end of its spec, which must end the YAML.
   */
  void create(String ns, String yaml, String... specFields) {
    StringBuilder all = new StringBuilder(yaml);
    for (String field : specFields) {
      all.append("  ").append(field).append('\n');
    }
    client
        .resource(new ByteArrayInputStream(all.toString().getBytes(StandardCharsets.UTF_8)))
        .inNamespace(ns)
        .create();
  }

  /**
   * A sample policy for workloads on KWOK nodes, where no container runs, so no agent can contact
   * the operator: the health gate asks only for ready pods with the injection.
   */
  static TracingPolicy kwokSample(String file, String namespace) throws IOException {
    TracingPolicy policy = sample(file, namespace);
    policy.getSpec().getRollout().getHealthGate().setAgentContact(false);
    return policy;
  }

  static TracingPolicy sample(String file, String namespace) throws IOException {
    try (InputStream in = Files.newInputStream(Path.of("../examples", file))) {
      TracingPolicy policy = Serialization.unmarshal(in, TracingPolicy.class);
      policy.getMetadata().setNamespace(namespace);
      return policy;
    }
  }

  /** Everything in the namespace a person would look at after a failure, as YAML. */
  String describe(String namespace) {
    StringBuilder out = new StringBuilder();
    appendAll(out, client.resources(TracingPolicy.class).inNamespace(namespace).list().getItems());
    appendAll(out, client.apps().statefulSets().inNamespace(namespace).list().getItems());
    appendAll(out, client.apps().deployments().inNamespace(namespace).list().getItems());
    appendAll(out, client.pods().inNamespace(namespace).list().getItems());
    appendAll(out, client.configMaps().inNamespace(namespace).list().getItems());
    appendAll(out, client.services().inNamespace(namespace).list().getItems());
    appendAll(out, client.v1().events().inNamespace(namespace).list().getItems());
    return out.toString();
  }

  private static void appendAll(StringBuilder out, List<? extends HasMetadata> items) {
    for (HasMetadata item : items) {
      out.append("---\n").append(Serialization.asYaml(item));
    }
  }

  static Duration timeout() {
    return Duration.ofSeconds(Long.getLong("e2e.timeoutSeconds", 90));
  }
}
