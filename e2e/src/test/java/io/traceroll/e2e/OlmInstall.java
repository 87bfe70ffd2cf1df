package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Operator Lifecycle Manager for bundle/ (OLM's olm and catalog operators and
 * operator-registry's opm, built from Go modules by build.sh, run as processes): before the tests
 * it installs OLM's CRDs, renders bundle/ into a file-based catalog that opm serves on loopback,
 * and starts the two operators; the tests subscribe, and record what OLM created for the uninstall
 * to check. After them, while OLM still runs (so it removes what it created outside the namespace),
 * the Subscription, the CSV and the OperatorGroup go.
 */
final class OlmInstall extends InstallPath {
  static final String CSV = "traceroll.v0.1.0";
  static final String DEPLOYMENT = "traceroll-operator";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();

  String olmNamespace;
  int registryPort;
  final List<ToolProcess> processes = new ArrayList<>();

  /** Set once the CSV succeeded; the later tests need it. */
  boolean installed;

  /** What OLM created, recorded while installed, for the uninstall to check. */
  final Map<String, ObjectRef> created = new LinkedHashMap<>();

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

  @Override
  void setUp() throws Exception {
    try (Stream<Path> files = Files.list(PinnedTool.OLM.directory("olm-crds"))) {
      for (Path crd : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        cluster.installCrd(crd);
      }
    }
    olmNamespace = installNamespace("olm", Map.of());
    // Restricted Pod Security, as on OpenShift: the pods OLM templates (with its certificate
    // volumes) must be admitted there.
    namespace = installNamespace("operators", RESTRICTED);

    Path catalogDir = Path.of("target", "olm-catalog-" + namespace);
    writeCatalog(catalogDir);
    registryPort = freePort();
    processes.add(
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
    processes.add(ToolProcess.start(PinnedTool.OLM, "--namespace", olmNamespace));
    processes.add(ToolProcess.start(PinnedTool.OLM_CATALOG, "--namespace", olmNamespace));
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
    String pkg = OlmBundle.annotation("package.v1");
    String channel = OlmBundle.annotation("channel.default.v1");
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

  @Override
  void tearDown() throws Exception {
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
    for (ToolProcess process : processes) {
      process.close();
    }
  }

  @Override
  String diagnostics() {
    return FailureDiagnostics.logsOf(processes);
  }

  void assumeInstalled() {
    assumeTrue(installed, "not installed");
  }

  // ---- objects as JSON

  void create(String yaml) {
    client().resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).create();
  }

  MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(String apiVersion, String kind) {
    return client().genericKubernetesResources(apiVersion, kind);
  }

  /** The live object as JSON, or null. */
  JsonNode get(String apiVersion, String kind, String ns, String name) {
    var resources = resources(apiVersion, kind);
    GenericKubernetesResource r =
        ns == null || ns.isEmpty()
            ? resources.withName(name).get()
            : resources.inNamespace(ns).withName(name).get();
    return r == null ? null : JSON.valueToTree(r);
  }

  List<JsonNode> list(String apiVersion, String kind, String ns) {
    var resources = resources(apiVersion, kind);
    return json((ns == null ? resources.list() : resources.inNamespace(ns).list()).getItems());
  }

  private static List<JsonNode> json(List<GenericKubernetesResource> items) {
    return items.stream().map(r -> (JsonNode) JSON.valueToTree(r)).toList();
  }

  // ---- what OLM made of the bundle

  /** The CSV as OLM keeps it in the operator's namespace, or null. */
  JsonNode csv() {
    return get("operators.coreos.com/v1alpha1", "ClusterServiceVersion", namespace, CSV);
  }

  List<JsonNode> copiedCsvs() {
    return json(
        resources("operators.coreos.com/v1alpha1", "ClusterServiceVersion")
            .inAnyNamespace()
            .withLabel("olm.copiedFrom", namespace)
            .list()
            .getItems());
  }

  List<String> operatorGroupRoles() {
    return resources("rbac.authorization.k8s.io/v1", "ClusterRole")
        .withLabel("olm.owner.kind", "OperatorGroup")
        .withLabel("olm.owner.namespace", namespace)
        .list()
        .getItems()
        .stream()
        .map(r -> r.getMetadata().getName())
        .toList();
  }

  List<JsonNode> webhookConfigurations() {
    return json(
        resources("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration")
            .withLabel("olm.owner", CSV)
            .withLabel("olm.owner.namespace", namespace)
            .list()
            .getItems());
  }

  /** The one webhook configuration OLM created from the CSV's webhookdefinitions. */
  JsonNode webhookConfiguration() {
    List<JsonNode> all = webhookConfigurations();
    assertThat(all).as("webhook configurations OLM created for %s/%s", namespace, CSV).hasSize(1);
    return all.get(0);
  }

  void assertOwnedByCsv(JsonNode object) {
    assertThat(object.at("/metadata/ownerReferences"))
        .as("owners of %s", ObjectRef.of(object).key())
        .anySatisfy(
            o -> {
              assertThat(o.path("kind").asText()).isEqualTo("ClusterServiceVersion");
              assertThat(o.path("name").asText()).isEqualTo(CSV);
            });
  }

  /** Records an object OLM created, for the uninstall to check it goes. */
  void record(JsonNode object) {
    created.put(ObjectRef.of(object).key(), ObjectRef.of(object));
  }

  /** Records a binding or role OLM created for this CSV (by its owner label or reference). */
  void recordIfOlmOwned(JsonNode object) {
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
      record(object);
    }
  }

  /**
   * Every field of expected is in actual with the same value (numbers by value); an array in actual
   * starts with expected's elements, and what it has beyond them is recorded in added by path.
   */
  static void assertContains(
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

  private static int freePort() throws IOException {
    return FreePorts.next();
  }
}
