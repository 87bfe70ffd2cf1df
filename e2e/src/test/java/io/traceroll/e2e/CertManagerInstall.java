package io.traceroll.e2e;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The chart installed with webhook.certMode=cert-manager beside a real cert-manager: its CRDs from
 * the pinned module (deploy/crds, copied beside the binaries by build.sh) and its controller and CA
 * injector, built from Go modules by build.sh, as processes on this host with the test's
 * KUBECONFIG. Nothing of cert-manager listens on a port (no metrics, healthz, leader election or
 * webhook: the CRDs have no conversion webhook, and cert-manager's own admission webhook only
 * validates and defaults).
 */
final class CertManagerInstall extends HelmInstall {
  static final String GROUP_VERSION = "cert-manager.io/v1";

  /** The Certificate the chart asks for, and the Secret cert-manager issues it into. */
  static final String CERTIFICATE = "traceroll-webhook-tls";

  private final List<ToolProcess> processes = new ArrayList<>();
  private final List<String> crds = new ArrayList<>();

  CertManagerInstall() {
    super("traceroll-cm", Map.of(), "webhook.certMode=cert-manager");
  }

  /** Installs cert-manager's CRDs, starts its controller and CA injector, then the chart. */
  @Override
  void setUp() throws Exception {
    Path crdDir = PinnedTool.CERT_MANAGER_CONTROLLER.directory("cert-manager-crds");
    List<Path> files;
    try (Stream<Path> listing = Files.list(crdDir)) {
      files = listing.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    if (files.size() != 6) {
      throw new IllegalStateException("expected 6 cert-manager CRDs in " + crdDir + ": " + files);
    }
    for (Path file : files) {
      cluster.installCrd(file);
      crds.add(crdName(file));
    }
    String kubeconfig = "--kubeconfig=" + kubeconfig();
    processes.add(
        ToolProcess.start(
            PinnedTool.CERT_MANAGER_CONTROLLER,
            kubeconfig,
            "--cluster-resource-namespace=kube-system"));
    processes.add(ToolProcess.start(PinnedTool.CERT_MANAGER_CAINJECTOR, kubeconfig));
    Thread.sleep(500);
    processes.forEach(ToolProcess::assertAlive);
    super.setUp();
  }

  /**
   * Uninstalls the chart, stops cert-manager and deletes its CRDs (and so every cert-manager
   * object), waiting until they are gone so a next run does not apply them to CRDs still being
   * deleted.
   */
  @Override
  void tearDown() throws Exception {
    try {
      super.tearDown();
    } finally {
      for (ToolProcess process : processes) {
        process.close();
      }
      var definitions = client().apiextensions().v1().customResourceDefinitions();
      crds.forEach(crd -> definitions.withName(crd).delete());
      crds.forEach(
          crd ->
              definitions.withName(crd).waitUntilCondition(Objects::isNull, 60, TimeUnit.SECONDS));
    }
  }

  /** cert-manager's logs, its objects in the release's namespace and the webhook configuration. */
  @Override
  String diagnostics() {
    StringBuilder out = new StringBuilder(FailureDiagnostics.logsOf(processes));
    if (namespace != null) {
      out.append("----- cert-manager objects in ").append(namespace).append(" -----\n");
      for (String kind : List.of("Issuer", "Certificate", "CertificateRequest")) {
        client()
            .genericKubernetesResources(GROUP_VERSION, kind)
            .inNamespace(namespace)
            .list()
            .getItems()
            .forEach(o -> out.append("---\n").append(Serialization.asYaml(o)));
      }
      out.append("----- webhook configuration -----\n")
          .append(Serialization.asYaml(cluster.webhookConfiguration()));
    }
    return out.toString();
  }

  // ---- cert-manager's objects in the release's namespace

  /** The Secret cert-manager issued the chart's Certificate into, or null. */
  Secret secret() {
    return client().secrets().inNamespace(namespace).withName(CERTIFICATE).get();
  }

  /** Waits until cert-manager has written the certificate, its key and the CA into the Secret. */
  Secret awaitIssuedSecret() {
    await()
        .atMost(TestCluster.timeout())
        .until(
            () -> {
              Secret s = secret();
              return s != null
                  && s.getData() != null
                  && s.getData().keySet().containsAll(List.of("tls.crt", "tls.key", "ca.crt"));
            });
    return secret();
  }

  Resource<GenericKubernetesResource> certificate(String name) {
    return resource("Certificate", name);
  }

  Resource<GenericKubernetesResource> issuer(String name) {
    return resource("Issuer", name);
  }

  /** The status.revision of the chart's Certificate: how often it was issued. */
  long revision() {
    Object revision = status(certificate(CERTIFICATE).get()).get("revision");
    return revision == null ? 0 : ((Number) revision).longValue();
  }

  /** The status of a cert-manager object's Ready condition, or null. */
  @SuppressWarnings("unchecked")
  static String readyCondition(GenericKubernetesResource resource) {
    Object conditions = status(resource).get("conditions");
    if (conditions == null) {
      return null;
    }
    return ((List<Map<String, Object>>) conditions)
        .stream()
            .filter(c -> "Ready".equals(c.get("type")))
            .map(c -> String.valueOf(c.get("status")))
            .findFirst()
            .orElse(null);
  }

  private Resource<GenericKubernetesResource> resource(String kind, String name) {
    return client()
        .genericKubernetesResources(GROUP_VERSION, kind)
        .inNamespace(namespace)
        .withName(name);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource resource) {
    Object status = resource == null ? null : resource.getAdditionalProperties().get("status");
    return status == null ? Map.of() : (Map<String, Object>) status;
  }

  /** The kubeconfig the test's client uses: KUBECONFIG, else ~/.kube/config. */
  private static String kubeconfig() {
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return env.split(File.pathSeparator)[0];
    }
    return Path.of(System.getProperty("user.home"), ".kube", "config").toString();
  }

  private static String crdName(Path file) throws IOException {
    return Serialization.unmarshal(Files.readString(file), GenericKubernetesResource.class)
        .getMetadata()
        .getName();
  }
}
