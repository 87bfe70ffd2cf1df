package io.traceroll.e2e;

import io.traceroll.operator.runtime.Leadership;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.TracerollOperator;
import io.traceroll.operator.admission.WebhookConfig;
import io.traceroll.webhook.AdmissionServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OLM bundle in bundle/ installed by a real Operator Lifecycle Manager (OLM's olm and catalog
 * operators and operator-registry's opm, built from Go modules by build.sh) the way OperatorHub
 * installs it, only with the catalog served from the bundle directory instead of an image:
 *
 * <ol>
 *   <li>opm renders bundle/ into a file-based catalog (its manifests embedded, no bundle image) and
 *       serves it over gRPC on loopback; a CatalogSource points at that address;
 *   <li>a Subscription in a namespace with an all-namespaces OperatorGroup makes the catalog
 *       operator resolve the bundle and run an InstallPlan: the CRD, the CSV, the bundle's Services
 *       and PodDisruptionBudget, and the ServiceAccount and RBAC generated from the CSV's
 *       permissions;
 *   <li>the olm operator takes the CSV through Pending, InstallReady and Installing to Succeeded:
 *       it creates the Deployment (KWOK runs its pods), a CA and serving certificate, a Service and
 *       the MutatingWebhookConfiguration from the CSV's webhookdefinitions.
 * </ol>
 *
 * <p>The test then holds what OLM created to the CSV, runs the operator jar out of cluster in the
 * olm certificate mode, with the certificate files OLM generated and a token of the ServiceAccount
 * OLM created (the API server cannot reach a Service here, so the admission request is sent by the
 * test, over TLS checked against the configuration's caBundle and the Service's DNS name as the API
 * server checks it), and last uninstalls: deleting the Subscription and the CSV removes everything
 * OLM created but the CRD.
 *
 * <p>A CSV applied without the catalog path stays Pending (RequirementsNotMet: "Service account
 * does not exist"): the ServiceAccount and RBAC are InstallPlan steps, not the olm operator's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OlmInstallE2eTest {
  static final String CSV = "traceroll.v0.1.0";
  static final String DEPLOYMENT = "traceroll-operator";
  static final String ACCOUNT = "traceroll-operator";
  static final String SELECTOR_LABEL = "traceroll.io/e2e-olm";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * RBAC OLM grants the operator's account beyond the CSV's permissions, and why. The test fails on
   * any other binding, so a change in what OLM grants is seen.
   */
  static final Map<String, String> OLM_EXTRA_ROLES =
      Map.of(
          "Role/" + DEPLOYMENT + "-service-cert",
          "get of the webhook certificate Secret OLM generated",
          "Role/" + CSV,
          "get, update and patch of the operator's OperatorCondition",
          "ClusterRole/system:auth-delegator",
          "token and access reviews, granted to every operator OLM fronts with a Service");

  static TestCluster cluster;
  static String olmNamespace;
  static String namespace;
  static Path catalogDir;
  static int registryPort;
  static final List<ToolProcess> olm = new ArrayList<>();
  static OperatorProcess operator;
  static final List<String> namespaces = new ArrayList<>();
  static boolean installed;

  /** What OLM created, recorded while installed, for the uninstall to check. */
  static final Map<String, ObjectRef> created = new LinkedHashMap<>();

  record ObjectRef(String apiVersion, String kind, String namespace, String name) {
    static ObjectRef of(JsonNode object) {
      return new ObjectRef(
          object.path("apiVersion").asText(),
          object.path("kind").asText(),
          object.at("/metadata/namespace").asText(""),
          object.at("/metadata/name").asText());
    }

    String key() {
      return kind + "/" + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }
  }

  @RegisterExtension
  final FailureDiagnostics diagnostics =
      new FailureDiagnostics(
          () -> operator, () -> cluster, namespaces, () -> FailureDiagnostics.logsOf(olm));

  @BeforeAll
  static void startOlm() throws Exception {
    cluster = new TestCluster();
    try (Stream<Path> files = Files.list(PinnedTool.OLM.directory("olm-crds"))) {
      for (Path crd : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        cluster.installCrd(crd);
      }
    }
    olmNamespace = cluster.createNamespace("olm", Map.of());
    // Restricted Pod Security, as on OpenShift: the pods OLM templates (with its certificate
    // volumes) must be admitted there.
    namespace =
        cluster.createNamespace(
            "operators", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    namespaces.add(namespace);
    namespaces.add(olmNamespace);

    catalogDir = Path.of("target", "olm-catalog-" + namespace);
    writeCatalog(catalogDir);
    registryPort = freePort();
    olm.add(
        ToolProcess.start(
            PinnedTool.OPM,
            "serve",
            catalogDir.toString(),
            "--port",
            String.valueOf(registryPort),
            "--pprof-addr",
            "",
            "--termination-log",
            catalogDir.resolveSibling(catalogDir.getFileName() + ".termination-log").toString()));
    olm.add(ToolProcess.start(PinnedTool.OLM, "--namespace", olmNamespace));
    olm.add(ToolProcess.start(PinnedTool.OLM_CATALOG, "--namespace", olmNamespace));
  }

  /**
   * The bundle directory rendered by opm into a file-based catalog of one package with one channel
   * holding it, as a catalog image would carry it; opm validates it as a catalog build does.
   */
  private static void writeCatalog(Path dir) throws Exception {
    Files.createDirectories(dir);
    String rendered = PinnedTool.OPM.succeed("render", "../bundle", "--output", "yaml").stdout();
    JsonNode bundle = YAML.readTree(rendered);
    assertThat(bundle.path("schema").asText()).isEqualTo("olm.bundle");
    assertThat(bundle.path("name").asText()).isEqualTo(CSV);
    // No image: the catalog operator takes the manifests from the catalog (olm.bundle.object)
    // instead of unpacking a bundle image, which this machine could not pull.
    assertThat(bundle.path("image").asText()).isEmpty();
    String pkg = bundleAnnotation("package.v1");
    String channel = bundleAnnotation("channel.default.v1");
    assertThat(bundle.path("package").asText()).isEqualTo(pkg);
    Files.writeString(dir.resolve("bundle.yaml"), rendered);
    Files.writeString(
        dir.resolve("package.yaml"),
        """
        ---
        schema: olm.package
        name: %s
        defaultChannel: %s
        ---
        schema: olm.channel
        package: %s
        name: %s
        entries:
          - name: %s
        """
            .formatted(pkg, channel, pkg, channel, CSV));
    PinnedTool.OPM.succeed("validate", dir.toString());
  }

  @Test
  @Order(1)
  void aSubscriptionInstallsTheBundleFromTheCatalogAndTheCsvSucceeds() throws Exception {
    create(
        """
        apiVersion: operators.coreos.com/v1
        kind: OperatorGroup
        metadata: {name: global-operators, namespace: %s}
        spec: {}
        """
            .formatted(namespace));
    create(
        """
        apiVersion: operators.coreos.com/v1alpha1
        kind: CatalogSource
        metadata: {name: traceroll-bundle, namespace: %s}
        spec:
          sourceType: grpc
          address: 127.0.0.1:%d
          displayName: bundle/ served by opm
        """
            .formatted(olmNamespace, registryPort));
    create(
        """
        apiVersion: operators.coreos.com/v1alpha1
        kind: Subscription
        metadata: {name: traceroll, namespace: %s}
        spec:
          name: %s
          channel: %s
          source: traceroll-bundle
          sourceNamespace: %s
          installPlanApproval: Automatic
        """
            .formatted(
                namespace,
                bundleAnnotation("package.v1"),
                bundleAnnotation("channel.default.v1"),
                olmNamespace));

    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              olm.forEach(ToolProcess::assertAlive);
              JsonNode csv = csv();
              assertThat(csv).as("the CSV the InstallPlan created").isNotNull();
              assertThat(csv.at("/status/phase").asText())
                  .as("CSV phase (%s)", csv.at("/status/message").asText())
                  .isEqualTo("Succeeded");
            });
    installed = true;

    JsonNode catalog =
        get("operators.coreos.com/v1alpha1", "CatalogSource", olmNamespace, "traceroll-bundle");
    assertThat(catalog.at("/status/connectionState/lastObservedState").asText()).isEqualTo("READY");

    // The phases the olm operator took the CSV through, oldest first.
    List<String> phases = new ArrayList<>();
    csv().at("/status/conditions").forEach(c -> phases.add(c.path("phase").asText()));
    assertThat(phases).containsSubsequence("Pending", "InstallReady", "Installing", "Succeeded");
    csv()
        .at("/status/requirementStatus")
        .forEach(
            r ->
                assertThat(r.path("status").asText())
                    .as("requirement %s %s", r.path("kind").asText(), r.path("name").asText())
                    .isIn("Present", "Satisfied"));

    // The InstallPlan created every object of the bundle, and the account and RBAC for it.
    // The catalog operator records the installed CSV on the Subscription on its own schedule,
    // possibly after the CSV succeeded.
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        get("operators.coreos.com/v1alpha1", "Subscription", namespace, "traceroll")
                            .at("/status/installedCSV")
                            .asText())
                    .isEqualTo(CSV));
    String planName =
        get("operators.coreos.com/v1alpha1", "Subscription", namespace, "traceroll")
            .at("/status/installPlanRef/name")
            .asText();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        get("operators.coreos.com/v1alpha1", "InstallPlan", namespace, planName)
                            .at("/status/phase")
                            .asText())
                    .isEqualTo("Complete"));
    JsonNode plan = get("operators.coreos.com/v1alpha1", "InstallPlan", namespace, planName);
    Map<String, String> steps = new TreeMap<>();
    plan.at("/status/plan")
        .forEach(
            s ->
                steps.put(
                    s.at("/resource/kind").asText() + "/" + s.at("/resource/name").asText(),
                    s.path("status").asText()));
    assertThat(steps.values())
        .as("%s", steps)
        .allMatch(s -> s.equals("Created") || s.equals("Present"));
    assertThat(steps.keySet()).containsAll(bundleObjects().keySet());
    Set<String> generated = new TreeSet<>(steps.keySet());
    generated.removeAll(bundleObjects().keySet());
    assertThat(generated.stream().map(k -> k.substring(0, k.indexOf('/'))))
        .as("steps beyond the bundle's files: %s", generated)
        .containsExactlyInAnyOrder(
            "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");
    assertThat(generated).contains("ServiceAccount/" + ACCOUNT);

    // The bundle's Services and PodDisruptionBudget as the bundle declares them, owned by the CSV.
    for (var e : bundleObjects().entrySet()) {
      JsonNode file = e.getValue();
      String kind = file.path("kind").asText();
      if (!Set.of("Service", "PodDisruptionBudget").contains(kind)) {
        continue;
      }
      JsonNode live =
          get(
              file.path("apiVersion").asText(),
              kind,
              namespace,
              file.at("/metadata/name").asText());
      assertThat(live).as(e.getKey()).isNotNull();
      Map<String, List<JsonNode>> added = new HashMap<>();
      assertContains(file.path("spec"), live.path("spec"), e.getKey(), added);
      assertThat(added).as("%s beyond the bundle's", e.getKey()).isEmpty();
      assertOwnedByCsv(live);
      created.put(ObjectRef.of(live).key(), ObjectRef.of(live));
    }
  }

  @Test
  @Order(2)
  void theDeploymentIsTheCsvsWithOlmsCertificateWhereTheOlmModeReadsIt() throws Exception {
    assumeTrue(installed, "not installed");
    JsonNode declared = csvFile().at("/spec/install/spec/deployments/0");
    assertThat(declared.path("name").asText()).isEqualTo(DEPLOYMENT);
    JsonNode live = get("apps/v1", "Deployment", namespace, DEPLOYMENT);
    assertThat(live.at("/metadata/labels").path("olm.owner").asText()).isEqualTo(CSV);
    assertOwnedByCsv(live);
    created.put(ObjectRef.of(live).key(), ObjectRef.of(live));

    // Everything the CSV declares, with the API server's defaults and OLM's additions around it.
    Map<String, List<JsonNode>> added = new TreeMap<>();
    assertContains(declared.path("spec"), live.path("spec"), "spec", added);
    String container = "spec/template/spec/containers/0";
    assertThat(added.keySet())
        .containsExactlyInAnyOrder(
            container + "/env", container + "/volumeMounts", "spec/template/spec/volumes");
    assertThat(added.get(container + "/env"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path("name").asText()).isEqualTo("OPERATOR_CONDITION_NAME");
              assertThat(e.path("value").asText()).isEqualTo(CSV);
            });
    Map<String, String> secretVolumes = new HashMap<>();
    for (JsonNode volume : added.get("spec/template/spec/volumes")) {
      assertThat(volume.at("/secret/secretName").asText())
          .as("volume %s", volume.path("name").asText())
          .isEqualTo(DEPLOYMENT + "-service-cert");
      secretVolumes.put(volume.path("name").asText(), volume.at("/secret/items").toString());
    }
    Map<String, String> mounts = new HashMap<>();
    added
        .get(container + "/volumeMounts")
        .forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    assertThat(mounts.values()).containsExactlyInAnyOrderElementsOf(secretVolumes.keySet());

    // The olm mode of the operator, configured from this container's environment, reads tls.crt
    // and tls.key where OLM mounts them.
    Map<String, String> env = new HashMap<>();
    live.at("/" + container + "/env")
        .forEach(
            e -> {
              if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
              }
            });
    WebhookConfig config = WebhookConfig.fromEnvironment(env);
    assertThat(config.certMode()).isEqualTo(WebhookConfig.CertMode.OLM);
    String certVolume = mounts.get(config.certDir().toString());
    assertThat(certVolume).as("a volume mounted at %s", config.certDir()).isNotNull();
    assertThat(JSON.readTree(secretVolumes.get(certVolume)))
        .isEqualTo(
            JSON.readTree(
                "[{\"key\":\"tls.crt\",\"path\":\"tls.crt\"},"
                    + "{\"key\":\"tls.key\",\"path\":\"tls.key\"}]"));

    // KWOK ran both replicas as the account OLM created.
    int replicas = declared.at("/spec/replicas").asInt();
    assertThat(live.at("/status/availableReplicas").asInt()).isEqualTo(replicas);
    List<Pod> pods =
        cluster
            .client
            .pods()
            .inNamespace(namespace)
            .withLabels(
                JSON.convertValue(
                    declared.at("/spec/selector/matchLabels"),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {}))
            .list()
            .getItems();
    assertThat(pods).hasSize(replicas);
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).startsWith("kwok-node-");
      assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(ACCOUNT);
      assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
    }
  }

  @Test
  @Order(3)
  void olmBoundTheCsvsPermissionsToTheAccountItCreated() throws Exception {
    assumeTrue(installed, "not installed");
    JsonNode install = csvFile().at("/spec/install/spec");
    assertThat(install.at("/clusterPermissions/0/serviceAccountName").asText()).isEqualTo(ACCOUNT);
    assertThat(install.at("/permissions/0/serviceAccountName").asText()).isEqualTo(ACCOUNT);
    JsonNode account = get("v1", "ServiceAccount", namespace, ACCOUNT);
    assertThat(account).isNotNull();
    assertOwnedByCsv(account);
    created.put(ObjectRef.of(account).key(), ObjectRef.of(account));

    // Every role bound to the account, by the role's kind and name, with its rules.
    Map<String, Set<JsonNode>> bound = new TreeMap<>();
    for (JsonNode binding : list("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null)) {
      if (bindsAccount(binding)) {
        bound.put(roleKey(binding), roleRules(binding, null));
        recordIfOlmOwned(binding);
      }
    }
    for (JsonNode binding : list("rbac.authorization.k8s.io/v1", "RoleBinding", namespace)) {
      if (bindsAccount(binding)) {
        bound.put(roleKey(binding), roleRules(binding, namespace));
        recordIfOlmOwned(binding);
      }
    }
    Set<JsonNode> clusterRules =
        InstallPathsAgreeTest.rules(install.at("/clusterPermissions/0/rules"));
    Set<JsonNode> namespaceRules = InstallPathsAgreeTest.rules(install.at("/permissions/0/rules"));

    // OLM lifts the namespace permissions to the cluster for an all-namespaces group, with read
    // access to namespaces added.
    Set<JsonNode> liftedRules = new java.util.HashSet<>(namespaceRules);
    liftedRules.add(
        InstallPathsAgreeTest.normalized(
            JSON.readTree(
                "{\"apiGroups\":[\"\"],\"resources\":[\"namespaces\"],"
                    + "\"verbs\":[\"get\",\"list\",\"watch\"]}")));

    Map<String, Set<JsonNode>> fromCsv = new TreeMap<>(bound);
    OLM_EXTRA_ROLES.keySet().forEach(fromCsv::remove);
    assertThat(bound.keySet())
        .as("roles bound to %s", ACCOUNT)
        .containsAll(OLM_EXTRA_ROLES.keySet());
    // The cluster permissions as a ClusterRole; the namespace permissions as a Role in the
    // operator's namespace and, lifted, as a ClusterRole.
    assertThat(fromCsv.entrySet())
        .as("roles from the CSV: %s", fromCsv.keySet())
        .hasSize(3)
        .anySatisfy(r -> assertClusterRole(r, clusterRules))
        .anySatisfy(r -> assertClusterRole(r, liftedRules))
        .anySatisfy(
            r -> {
              assertThat(r.getKey()).startsWith("Role/" + CSV + "-");
              assertThat(r.getValue()).isEqualTo(namespaceRules);
            });

    // Lifted to the cluster, the leader-election rules still reach no other Lease: not the
    // scheduler's leader Lease nor a node's heartbeat.
    String lease = Leadership.LEASE_NAME;
    assertThat(allowed("update", "leases", namespace, lease)).isTrue();
    assertThat(allowed("create", "leases", namespace, "")).isTrue();
    assertThat(allowed("update", "leases", "kube-system", "kube-scheduler")).isFalse();
    assertThat(allowed("patch", "leases", "kube-node-lease", "kwok-node-0")).isFalse();
    assertThat(allowed("get", "leases", "kube-system", "kube-controller-manager")).isFalse();
  }

  /** Whether the API server's authorizer lets the operator's account do this (coordination). */
  private static boolean allowed(String verb, String resource, String ns, String name) {
    return cluster
        .client
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(
            new SubjectAccessReviewBuilder()
                .withNewSpec()
                .withUser("system:serviceaccount:" + namespace + ":" + ACCOUNT)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace)
                .withNewResourceAttributes()
                .withGroup("coordination.k8s.io")
                .withResource(resource)
                .withVerb(verb)
                .withNamespace(ns)
                .withName(name)
                .endResourceAttributes()
                .endSpec()
                .build())
        .getStatus()
        .getAllowed();
  }

  @Test
  @Order(4)
  void olmsWebhookConfigurationCallsTheOperatorThroughItsServiceWithACaThatVerifiesTheCertificate()
      throws Exception {
    assumeTrue(installed, "not installed");
    JsonNode definition = csvFile().at("/spec/webhookdefinitions/0");
    JsonNode mwc = webhookConfiguration();
    assertThat(mwc.at("/metadata/name").asText())
        .startsWith(definition.path("generateName").asText() + "-");
    created.put(ObjectRef.of(mwc).key(), ObjectRef.of(mwc));
    assertThat(mwc.path("webhooks")).hasSize(1);
    JsonNode webhook = mwc.at("/webhooks/0");
    String service = definition.path("deploymentName").asText() + "-service";
    assertThat(webhook.path("name").asText()).isEqualTo(definition.path("generateName").asText());
    assertThat(webhook.at("/clientConfig/service"))
        .isEqualTo(
            JSON.createObjectNode()
                .put("name", service)
                .put("namespace", namespace)
                .put("path", definition.path("webhookPath").asText())
                .put("port", definition.path("containerPort").asInt()));
    for (String field :
        List.of(
            "rules",
            "failurePolicy",
            "sideEffects",
            "timeoutSeconds",
            "admissionReviewVersions",
            "matchPolicy",
            "reinvocationPolicy",
            "objectSelector")) {
      assertThat(InstallPathsAgreeTest.normalized(webhook.path(field)))
          .as(field)
          .isEqualTo(InstallPathsAgreeTest.normalized(definition.path(field)));
    }
    // All namespaces: OLM adds no namespace selector; the operator decides per pod.
    assertThat(webhook.path("namespaceSelector")).isEqualTo(JSON.createObjectNode());

    // The Service OLM put in front of the operator's webhook port.
    JsonNode svc = get("v1", "Service", namespace, service);
    assertOwnedByCsv(svc);
    created.put(ObjectRef.of(svc).key(), ObjectRef.of(svc));
    JsonNode deployment = csvFile().at("/spec/install/spec/deployments/0/spec");
    assertThat(svc.at("/spec/selector")).isEqualTo(deployment.at("/selector/matchLabels"));
    assertThat(svc.at("/spec/ports")).hasSize(1);
    assertThat(svc.at("/spec/ports/0/port").asInt())
        .isEqualTo(definition.path("containerPort").asInt());
    assertThat(svc.at("/spec/ports/0/targetPort").asInt())
        .isEqualTo(definition.path("targetPort").asInt());
    List<Integer> webhookPorts = new ArrayList<>();
    deployment
        .at("/template/spec/containers/0/ports")
        .forEach(
            p -> {
              if (p.path("name").asText().equals("webhook")) {
                webhookPorts.add(p.path("containerPort").asInt());
              }
            });
    assertThat(webhookPorts).containsExactly(definition.path("targetPort").asInt());
    Map<String, String> env = new HashMap<>();
    deployment
        .at("/template/spec/containers/0/env")
        .forEach(
            e -> {
              if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
              }
            });
    // The operator's server would also answer below its path (the JDK server matches contexts by
    // prefix), so the path is held to the one it serves.
    assertThat(webhook.at("/clientConfig/service/path").asText())
        .isEqualTo(AdmissionServer.MUTATE_PATH);
    assertThat(WebhookConfig.fromEnvironment(env).port())
        .as("the port the operator serves the webhook on, with the Deployment's environment")
        .isEqualTo(definition.path("targetPort").asInt());

    // The caBundle is the CA that signed the certificate OLM stored for the Service's DNS names.
    X509Certificate ca = caBundle(mwc);
    JsonNode secret = get("v1", "Secret", namespace, service + "-cert");
    assertOwnedByCsv(secret);
    created.put(ObjectRef.of(secret).key(), ObjectRef.of(secret));
    X509Certificate serving =
        certificate(Base64.getDecoder().decode(secret.at("/data/tls.crt").asText()));
    PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    pkix.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(serving)), pkix);
    List<String> dnsNames = new ArrayList<>();
    for (List<?> san : serving.getSubjectAlternativeNames()) {
      if (Integer.valueOf(2).equals(san.get(0))) {
        dnsNames.add((String) san.get(1));
      }
    }
    assertThat(dnsNames).contains(service + "." + namespace + ".svc");
  }

  @Test
  @Order(5)
  void theOperatorInOlmModeServesWithOlmsCertificateAndRunsOnOlmsRbac() throws Exception {
    assumeTrue(installed, "not installed");
    // The certificate files as the pod's volume holds them.
    JsonNode live = get("apps/v1", "Deployment", namespace, DEPLOYMENT);
    Map<String, String> env = Map.of("TRACEROLL_WEBHOOK_CERT_MODE", "olm");
    Path mountPath = WebhookConfig.fromEnvironment(env).certDir();
    Path certDir = Path.of("target", "olm-certs-" + namespace).toAbsolutePath();
    Files.createDirectories(certDir);
    String service = DEPLOYMENT + "-service";
    JsonNode secret = get("v1", "Secret", namespace, service + "-cert");
    int files = 0;
    for (JsonNode mount : live.at("/spec/template/spec/containers/0/volumeMounts")) {
      if (!mount.path("mountPath").asText().equals(mountPath.toString())) {
        continue;
      }
      for (JsonNode volume : live.at("/spec/template/spec/volumes")) {
        if (volume.path("name").equals(mount.path("name"))) {
          for (JsonNode item : volume.at("/secret/items")) {
            Files.write(
                certDir.resolve(item.path("path").asText()),
                Base64.getDecoder()
                    .decode(secret.path("data").path(item.path("key").asText()).asText()));
            files++;
          }
        }
      }
    }
    assertThat(files).as("files in %s", mountPath).isEqualTo(2);
    String mwcVersion = webhookConfiguration().at("/metadata/resourceVersion").asText();

    operator =
        OperatorProcess.start(
            namespace,
            Map.of(
                "KUBECONFIG",
                cluster.serviceAccountKubeconfig(namespace, ACCOUNT).toString(),
                "TRACEROLL_WEBHOOK_CERT_MODE",
                "olm",
                "TRACEROLL_WEBHOOK_CERT_DIR",
                certDir.toString()));

    // A policy reconciled by the operator with OLM's RBAC.
    String obs = namespace("obs-olm", Map.of());
    String shop = namespace("shop-olm", Map.of());
    cluster
        .client
        .namespaces()
        .withName(shop)
        .edit(
            n -> {
              n.getMetadata().getLabels().put(SELECTOR_LABEL, shop);
              return n;
            });
    cluster
        .client
        .resource(
            new ByteArrayInputStream(
                """
                apiVersion: traceroll.io/v1alpha1
                kind: TracingPolicy
                metadata: {name: traced, namespace: %s}
                spec:
                  selector:
                    namespaceSelector: {matchLabels: {%s: %s}}
                  backend:
                    tempo: {storage: {type: memory}}
                  sampling:
                    default: {ratio: 1.0}
                """
                    .formatted(obs, SELECTOR_LABEL, shop)
                    .getBytes(UTF_8)))
        .inNamespace(obs)
        .create();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              TracingPolicy policy =
                  cluster
                      .client
                      .resources(TracingPolicy.class)
                      .inNamespace(obs)
                      .withName("traced")
                      .get();
              assertThat(policy.getStatus()).isNotNull();
              assertThat(policy.getStatus().getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("Ready");
                        assertThat(c.getStatus()).isEqualTo("True");
                      });
            });

    // The API server's call, made by the test: TLS to the Service's DNS name, trusting only the
    // configuration's caBundle, and the AdmissionReview of a pod in the selected namespace.
    JsonNode mwc = webhookConfiguration();
    X509Certificate ca = caBundle(mwc);
    JsonNode target = mwc.at("/webhooks/0/clientConfig/service");
    String host = target.path("name").asText() + "." + target.path("namespace").asText() + ".svc";
    String path = target.path("path").asText();
    int port = portOf(operator.webhookUrl());
    JsonNode response = admit(port, host, path, ca, podReview(shop));
    assertThat(response.at("/response/allowed").asBoolean()).isTrue();
    assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    String patch =
        new String(Base64.getDecoder().decode(response.at("/response/patch").asText()), UTF_8);
    assertThat(patch)
        .contains("traceroll-agent-init")
        .contains(Traceroll.INJECTED_ANNOTATION.replace("/", "~1"));
    // The name every other install path gives the webhook's Service is not in OLM's certificate.
    assertThatThrownBy(
            () -> admit(port, "traceroll-webhook." + namespace + ".svc", path, ca, podReview(shop)))
        .isInstanceOf(SSLHandshakeException.class);

    // In the olm mode the operator leaves OLM's webhook configuration alone, and it was refused
    // nothing.
    assertThat(webhookConfiguration().at("/metadata/resourceVersion").asText())
        .isEqualTo(mwcVersion);
    assertThat(operator.logs())
        .doesNotContainIgnoringCase("forbidden")
        .doesNotContainPattern("code=403\\b|\\b403 Forbidden");
    AuditLog.ofCurrentCluster()
        .ifPresent(
            audit ->
                assertThat(audit.callsBy("system:serviceaccount:" + namespace + ":" + ACCOUNT))
                    .isNotEmpty()
                    .noneMatch(c -> c.code() == 403));
    assertThat(operator.isAlive()).isTrue();

    // Deleted, the policy is finalized by the operator (its Tempo goes) and goes.
    cluster.client.resources(TracingPolicy.class).inNamespace(obs).withName("traced").delete();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () ->
                assertThat(
                        cluster
                            .client
                            .resources(TracingPolicy.class)
                            .inNamespace(obs)
                            .withName("traced")
                            .get())
                    .isNull());
  }

  @Test
  @Order(6)
  void deletingTheSubscriptionAndTheCsvRemovesEverythingOlmCreatedButTheCrd() throws Exception {
    assumeTrue(installed, "not installed");
    stopOperator();
    JsonNode condition = get("operators.coreos.com/v2", "OperatorCondition", namespace, CSV);
    assertThat(condition).as("the OperatorCondition OLM created").isNotNull();
    created.put(ObjectRef.of(condition).key(), ObjectRef.of(condition));
    List<JsonNode> copies = copiedCsvs();
    assertThat(created.keySet())
        .as("recorded by the earlier tests")
        .contains(
            "Deployment/" + namespace + "/" + DEPLOYMENT,
            "ServiceAccount/" + namespace + "/" + ACCOUNT,
            "Service/" + namespace + "/" + DEPLOYMENT + "-service",
            "Secret/" + namespace + "/" + DEPLOYMENT + "-service-cert");
    assertThat(created.keySet()).anyMatch(k -> k.startsWith("MutatingWebhookConfiguration/"));
    assertThat(created.keySet()).anyMatch(k -> k.startsWith("ClusterRoleBinding/"));

    resources("operators.coreos.com/v1alpha1", "Subscription")
        .inNamespace(namespace)
        .withName("traceroll")
        .delete();
    resources("operators.coreos.com/v1alpha1", "ClusterServiceVersion")
        .inNamespace(namespace)
        .withName(CSV)
        .delete();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(
            () -> {
              for (ObjectRef ref : created.values()) {
                assertThat(get(ref.apiVersion(), ref.kind(), ref.namespace(), ref.name()))
                    .as("%s after uninstall", ref.key())
                    .isNull();
              }
              assertThat(copiedCsvs()).as("CSVs OLM copied into other namespaces").isEmpty();
              assertThat(cluster.client.pods().inNamespace(namespace).list().getItems()).isEmpty();
            });
    System.out.printf(
        "uninstall removed %d objects OLM created and %d copied CSVs%n",
        created.size(), copies.size());
    // The OperatorGroup's aggregated roles (admin, edit, view of the provided API) go with it.
    assertThat(operatorGroupRoles()).as("roles OLM created for the OperatorGroup").isNotEmpty();
    resources("operators.coreos.com/v1", "OperatorGroup")
        .inNamespace(namespace)
        .withName("global-operators")
        .delete();
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(() -> assertThat(operatorGroupRoles()).isEmpty());
    // OLM leaves CRDs (and so every policy) alone on uninstall, as helm does.
    assertThat(
            cluster
                .client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("tracingpolicies.traceroll.io")
                .get())
        .isNotNull();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      // The policy's namespace while the operator runs, so it can release the finalizer.
      List<String> policyNamespaces =
          namespaces.stream()
              .filter(ns -> !ns.equals(namespace) && !ns.equals(olmNamespace))
              .toList();
      policyNamespaces.forEach(cluster::deleteNamespace);
      try {
        await()
            .atMost(TestCluster.timeout())
            .until(
                () ->
                    policyNamespaces.stream()
                        .allMatch(
                            ns ->
                                cluster
                                    .client
                                    .resources(TracingPolicy.class)
                                    .inNamespace(ns)
                                    .list()
                                    .getItems()
                                    .isEmpty()));
      } catch (RuntimeException e) {
        System.err.println("policies left behind: " + e.getMessage());
      }
      stopOperator();
      if (namespace != null) {
        // While OLM still runs, so it removes what it created outside the namespace.
        resources("operators.coreos.com/v1alpha1", "Subscription").inNamespace(namespace).delete();
        resources("operators.coreos.com/v1alpha1", "ClusterServiceVersion")
            .inNamespace(namespace)
            .delete();
        try {
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> copiedCsvs().isEmpty() && webhookConfigurations().isEmpty());
          resources("operators.coreos.com/v1", "OperatorGroup").inNamespace(namespace).delete();
          await().atMost(Duration.ofSeconds(30)).until(() -> operatorGroupRoles().isEmpty());
        } catch (RuntimeException e) {
          System.err.println("OLM left objects behind: " + e.getMessage());
        }
      }
      for (ToolProcess process : olm) {
        process.close();
      }
      namespaces.forEach(cluster::deleteNamespace);
    } finally {
      cluster.client.close();
    }
  }

  private static void stopOperator() throws InterruptedException {
    if (operator != null) {
      operator.close();
    }
  }

  // ---- helpers ----

  private static String namespace(String prefix, Map<String, String> labels) {
    String ns = cluster.createNamespace(prefix, labels);
    namespaces.add(0, ns);
    return ns;
  }

  private static void create(String yaml) {
    cluster
        .client
        .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
        .create();
  }

  /** An annotation of bundle/metadata, e.g. package.v1 for the package name. */
  private static String bundleAnnotation(String key) throws IOException {
    return YAML.readTree(Path.of("../bundle/metadata/annotations.yaml").toFile())
        .path("annotations")
        .path("operators.operatorframework.io.bundle." + key)
        .asText();
  }

  private static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(String apiVersion, String kind) {
    return cluster.client.genericKubernetesResources(apiVersion, kind);
  }

  /** The live object as JSON, or null. */
  private static JsonNode get(String apiVersion, String kind, String ns, String name) {
    var resources = resources(apiVersion, kind);
    GenericKubernetesResource r =
        ns == null || ns.isEmpty()
            ? resources.withName(name).get()
            : resources.inNamespace(ns).withName(name).get();
    return r == null ? null : JSON.valueToTree(r);
  }

  private static List<JsonNode> list(String apiVersion, String kind, String ns) {
    var resources = resources(apiVersion, kind);
    return (ns == null ? resources.list() : resources.inNamespace(ns).list())
        .getItems().stream().map(r -> (JsonNode) JSON.valueToTree(r)).toList();
  }

  private static JsonNode csv() {
    return get("operators.coreos.com/v1alpha1", "ClusterServiceVersion", namespace, CSV);
  }

  /** The CSV in bundle/, as the test reads it (not as OLM stored it). */
  private static JsonNode csvFile() throws IOException {
    return InstallPathsAgreeTest.csv();
  }

  /** Every object in bundle/manifests by kind/name. */
  private static Map<String, JsonNode> bundleObjects() throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(InstallPathsAgreeTest.BUNDLE)) {
      for (Path file : files.sorted().toList()) {
        for (ObjectNode object : Manifests.parse(Files.readString(file)).all()) {
          out.put(
              object.path("kind").asText() + "/" + object.at("/metadata/name").asText(), object);
        }
      }
    }
    return out;
  }

  private static List<JsonNode> copiedCsvs() {
    return resources("operators.coreos.com/v1alpha1", "ClusterServiceVersion")
        .inAnyNamespace()
        .withLabel("olm.copiedFrom", namespace)
        .list()
        .getItems()
        .stream()
        .map(r -> (JsonNode) JSON.valueToTree(r))
        .toList();
  }

  private static List<String> operatorGroupRoles() {
    return resources("rbac.authorization.k8s.io/v1", "ClusterRole")
        .withLabel("olm.owner.kind", "OperatorGroup")
        .withLabel("olm.owner.namespace", namespace)
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getName())
        .toList();
  }

  private static List<JsonNode> webhookConfigurations() {
    return resources("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration")
        .withLabel("olm.owner", CSV)
        .withLabel("olm.owner.namespace", namespace)
        .list()
        .getItems()
        .stream()
        .map(r -> (JsonNode) JSON.valueToTree(r))
        .toList();
  }

  private static JsonNode webhookConfiguration() {
    List<JsonNode> all = webhookConfigurations();
    assertThat(all).as("webhook configurations OLM created for %s/%s", namespace, CSV).hasSize(1);
    return all.get(0);
  }

  private static void assertOwnedByCsv(JsonNode object) {
    assertThat(object.at("/metadata/ownerReferences"))
        .as("owners of %s", ObjectRef.of(object).key())
        .anySatisfy(
            o -> {
              assertThat(o.path("kind").asText()).isEqualTo("ClusterServiceVersion");
              assertThat(o.path("name").asText()).isEqualTo(CSV);
            });
  }

  private static boolean bindsAccount(JsonNode binding) {
    for (JsonNode subject : binding.path("subjects")) {
      if (subject.path("kind").asText().equals("ServiceAccount")
          && subject.path("name").asText().equals(ACCOUNT)
          && subject.path("namespace").asText(namespace).equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  private static String roleKey(JsonNode binding) {
    return binding.at("/roleRef/kind").asText() + "/" + binding.at("/roleRef/name").asText();
  }

  private static Set<JsonNode> roleRules(JsonNode binding, String ns) {
    String kind = binding.at("/roleRef/kind").asText();
    JsonNode role =
        get(
            "rbac.authorization.k8s.io/v1",
            kind,
            kind.equals("Role") ? ns : null,
            binding.at("/roleRef/name").asText());
    assertThat(role)
        .as("%s of %s", roleKey(binding), binding.at("/metadata/name").asText())
        .isNotNull();
    if (role.at("/metadata/labels").has("olm.owner")) {
      recordIfOlmOwned(role);
    }
    return InstallPathsAgreeTest.rules(role.path("rules"));
  }

  /** Records a binding or role OLM created for this CSV (by its owner label or reference). */
  private static void recordIfOlmOwned(JsonNode object) {
    boolean labelled =
        object.at("/metadata/labels").path("olm.owner").asText().equals(CSV)
            && object
                .at("/metadata/labels")
                .path("olm.owner.namespace")
                .asText(namespace)
                .equals(namespace);
    boolean owned = false;
    for (JsonNode o : object.at("/metadata/ownerReferences")) {
      owned |= o.path("name").asText().equals(CSV);
    }
    if (labelled || owned) {
      created.put(ObjectRef.of(object).key(), ObjectRef.of(object));
    }
  }

  private static void assertClusterRole(
      Map.Entry<String, Set<JsonNode>> role, Set<JsonNode> rules) {
    assertThat(role.getKey()).startsWith("ClusterRole/" + CSV + "-");
    assertThat(role.getValue()).isEqualTo(rules);
  }

  /**
   * Every field of expected is in actual with the same value (numbers by value); an array in actual
   * starts with expected's elements, and what it has beyond them is recorded in added by path.
   */
  private static void assertContains(
      JsonNode expected, JsonNode actual, String path, Map<String, List<JsonNode>> added) {
    if (expected.isObject()) {
      assertThat(actual.isObject()).as("%s is an object: %s", path, actual).isTrue();
      expected
          .properties()
          .forEach(
              e ->
                  assertContains(
                      e.getValue(), actual.path(e.getKey()), path + "/" + e.getKey(), added));
    } else if (expected.isArray()) {
      assertThat(actual.isArray()).as("%s is an array: %s", path, actual).isTrue();
      assertThat(actual.size()).as("%s: %s", path, actual).isGreaterThanOrEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertContains(expected.get(i), actual.get(i), path + "/" + i, added);
      }
      for (int i = expected.size(); i < actual.size(); i++) {
        added.computeIfAbsent(path, p -> new ArrayList<>()).add(actual.get(i));
      }
    } else {
      assertThat(InstallPathsAgreeTest.normalized(actual))
          .as(path)
          .isEqualTo(InstallPathsAgreeTest.normalized(expected));
    }
  }

  private static X509Certificate caBundle(JsonNode mwc) throws Exception {
    String caBundle = mwc.at("/webhooks/0/clientConfig/caBundle").asText();
    assertThat(caBundle).as("caBundle").isNotEmpty();
    return certificate(Base64.getDecoder().decode(caBundle));
  }

  private static X509Certificate certificate(byte[] pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
  }

  private static JsonNode podReview(String ns) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
    request.put("namespace", ns).put("operation", "CREATE");
    request.putObject("userInfo").put("username", "e2e");
    ObjectNode pod = request.putObject("object");
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("generateName", "web-").put("namespace", ns);
    ArrayNode containers = pod.putObject("spec").putArray("containers");
    containers.addObject().put("name", "app").put("image", "example/web:1");
    return review;
  }

  /**
   * POSTs an AdmissionReview to the path on loopback as the API server would to the Service: TLS
   * with the Service's DNS name as server name and identity, trusting only the given CA.
   */
  private static JsonNode admit(
      int port, String host, String path, X509Certificate ca, JsonNode review) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    try (Socket plain = new Socket("127.0.0.1", port);
        SSLSocket tls =
            (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      parameters.setServerNames(List.of(new SNIHostName(host)));
      tls.setSSLParameters(parameters);
      tls.setSoTimeout(10_000);
      tls.startHandshake();
      byte[] body = JSON.writeValueAsBytes(review);
      OutputStream out = tls.getOutputStream();
      out.write(
          ("POST %s?timeout=3s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                  + "Content-Length: %d\r\nConnection: close\r\n\r\n")
              .formatted(path, host, port, body.length)
              .getBytes(US_ASCII));
      out.write(body);
      out.flush();
      String response = new String(tls.getInputStream().readAllBytes(), UTF_8);
      assertThat(response).as("POST %s", path).startsWith("HTTP/1.1 200");
      return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }
  }

  private static int portOf(String url) {
    return java.net.URI.create(url).getPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
