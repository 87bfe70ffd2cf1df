package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The install paths as the real tools see them: helm lint and helm template of the chart, kubectl
 * kustomize of deploy/, each compared object for object with the canonical install
 * (src/test/resources/install), and deploy/default accepted by the API server in a server-side dry
 * run. The cert-manager overlay is rendered only: the local cluster has no cert-manager CRDs.
 */
class HelmChartE2eTest {
  static final Path CHART = Path.of("../helm/traceroll");
  static final Path CRD = Path.of("../crds/tracingpolicies.traceroll.io-v1.yml");
  static final String NAMESPACE = "traceroll-system";
  static final String[] CERT_MANAGER = {"--set", "webhook.certMode=cert-manager"};

  @Test
  void chartPassesStrictLintInEveryMode() throws Exception {
    for (String[] values :
        List.of(
            new String[0],
            CERT_MANAGER,
            new String[] {"--set", "metrics.serviceMonitor.enabled=true"},
            new String[] {
              "--set", "webhook.certMode=cert-manager",
              "--set", "webhook.certManager.issuerRef.name=corp-ca",
              "--set", "webhook.certManager.issuerRef.kind=ClusterIssuer"
            })) {
      List<String> args = new ArrayList<>(List.of("lint", "--strict", CHART.toString()));
      args.addAll(List.of("--kube-version", kubeVersion()));
      args.addAll(List.of(values));
      PinnedTool.Result lint = PinnedTool.HELM.succeed(args.toArray(String[]::new));
      assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
    }
  }

  @Test
  void defaultValuesRenderTheCanonicalInstall() throws Exception {
    Manifests rendered = helmTemplate().withoutHelmLabels();
    assertThat(rendered.byKey()).isEqualTo(Manifests.fixture("canonical.yaml").byKey());
  }

  @Test
  void everyObjectCarriesTheCanonicalAndHelmLabels() throws Exception {
    for (ObjectNode object : helmTemplate(CERT_MANAGER).all()) {
      JsonNode labels = object.path("metadata").path("labels");
      assertThat(labels.path("app.kubernetes.io/name").asText())
          .as(Manifests.key(object))
          .isEqualTo("traceroll");
      assertThat(labels.path("app.kubernetes.io/part-of").asText()).isEqualTo("traceroll");
      assertThat(labels.path("app.kubernetes.io/managed-by").asText()).isEqualTo("Helm");
      assertThat(labels.path("app.kubernetes.io/instance").asText()).isEqualTo("traceroll");
      assertThat(labels.path("helm.sh/chart").asText()).isEqualTo("traceroll-0.1.0");
    }
  }

  @Test
  void certManagerModeAddsTheCaChainTheCertificateAndTheOperatorsMode() throws Exception {
    Manifests rendered = helmTemplate(CERT_MANAGER).withoutHelmLabels();
    assertThat(rendered.byKey()).isEqualTo(certManagerInstall().byKey());
  }

  @Test
  void certManagerWithAUserIssuerCreatesOnlyTheServingCertificate() throws Exception {
    Manifests rendered =
        helmTemplate(
            "--set", "webhook.certMode=cert-manager",
            "--set", "webhook.certManager.issuerRef.name=corp-ca",
            "--set", "webhook.certManager.issuerRef.kind=ClusterIssuer");
    assertThat(rendered.find("Issuer", "traceroll-selfsigned")).isEmpty();
    assertThat(rendered.find("Certificate", "traceroll-webhook-ca")).isEmpty();
    assertThat(rendered.get("Certificate", "traceroll-webhook-tls").at("/spec/issuerRef"))
        .hasToString(
            "{\"name\":\"corp-ca\",\"kind\":\"ClusterIssuer\",\"group\":\"cert-manager.io\"}");
  }

  @Test
  void serviceMonitorOnlyWhenEnabled() throws Exception {
    assertThat(helmTemplate().find("ServiceMonitor", "traceroll-operator")).isEmpty();
    ObjectNode monitor =
        helmTemplate(
                "--set",
                "metrics.serviceMonitor.enabled=true",
                "--set",
                "metrics.serviceMonitor.labels.release=prometheus")
            .get("ServiceMonitor", "traceroll-operator");
    assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("http-metrics");
    assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo(NAMESPACE);
  }

  @Test
  void valuesReachTheDeployment() throws Exception {
    ObjectNode deployment =
        helmTemplate(
                "--set", "image.repository=registry.example/traceroll",
                "--set", "image.tag=dev",
                "--set", "image.pullPolicy=Always",
                "--set", "replicaCount=3",
                "--set", "resources.limits.memory=1Gi",
                "--set", "nodeSelector.pool=system",
                "--set", "tolerations[0].key=dedicated",
                "--set", "tolerations[0].operator=Exists",
                "--set", "podAnnotations.team=platform",
                "--set", "extraEnv[0].name=TRACEROLL_WATCH_NAMESPACES",
                "--set", "extraEnv[0].value=shop",
                "--set", "imagePullSecrets[0].name=regcred")
            .get("Deployment", "traceroll-operator");
    JsonNode pod = deployment.at("/spec/template/spec");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(3);
    assertThat(pod.at("/containers/0/image").asText()).isEqualTo("registry.example/traceroll:dev");
    assertThat(pod.at("/containers/0/imagePullPolicy").asText()).isEqualTo("Always");
    assertThat(pod.at("/containers/0/resources/limits/memory").asText()).isEqualTo("1Gi");
    assertThat(pod.at("/nodeSelector/pool").asText()).isEqualTo("system");
    assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("dedicated");
    assertThat(pod.at("/imagePullSecrets/0/name").asText()).isEqualTo("regcred");
    assertThat(deployment.at("/spec/template/metadata/annotations/team").asText())
        .isEqualTo("platform");
    JsonNode env = pod.at("/containers/0/env");
    assertThat(env.get(env.size() - 1).path("name").asText())
        .isEqualTo("TRACEROLL_WATCH_NAMESPACES");
  }

  @Test
  void schemaRefusesUnknownValuesAndUnknownCertModes() throws Exception {
    for (String[] bad :
        List.of(
            new String[] {"--set", "replicas=3"},
            new String[] {"--set", "webhook.certMode=vault"},
            new String[] {"--set", "webhook.certManager.issuerRef.kind=Vault"},
            new String[] {"--set", "image.pullPolicy=Sometimes"})) {
      List<String> args = new ArrayList<>(templateArgs());
      args.addAll(List.of(bad));
      PinnedTool.Result result = PinnedTool.HELM.run(args.toArray(String[]::new));
      assertThat(result.exitCode()).as(String.join(" ", bad)).isNotZero();
      assertThat(result.stderr()).contains("values don't meet the specifications of the schema");
    }
  }

  @Test
  void helmInstallsTheGeneratedCrd() throws Exception {
    List<String> args = new ArrayList<>(templateArgs());
    args.add("--include-crds");
    Manifests rendered =
        Manifests.parse(PinnedTool.HELM.succeed(args.toArray(String[]::new)).stdout());
    assertThat(rendered.get("CustomResourceDefinition", "tracingpolicies.traceroll.io"))
        .isEqualTo(Manifests.parse(Files.readString(CRD)).all().get(0));
  }

  @Test
  void kustomizeDefaultIsTheCanonicalInstallInItsNamespace() throws Exception {
    Manifests rendered = kustomize("default");
    assertThat(withoutNamespaceAndCrd(rendered).byKey())
        .isEqualTo(Manifests.fixture("canonical.yaml").byKey());
    assertNamespaceAndLabelledCrd(rendered);
  }

  @Test
  void kustomizeCertManagerMatchesTheChartsCertManagerMode() throws Exception {
    Manifests rendered = kustomize("cert-manager");
    assertThat(withoutNamespaceAndCrd(rendered).byKey()).isEqualTo(certManagerInstall().byKey());
    assertNamespaceAndLabelledCrd(rendered);
  }

  @Test
  void apiServerAcceptsDeployDefaultInAServerSideDryRun() throws Exception {
    // A server-side dry run creates nothing, so the namespace must exist already.
    TestCluster cluster = new TestCluster();
    try {
      cluster.ensureNamespace(NAMESPACE);
    } finally {
      cluster.client.close();
    }
    PinnedTool.Result applied =
        PinnedTool.KUBECTL.succeed("apply", "-k", "../deploy/default", "--dry-run=server");
    // created, or configured where an earlier test left the object (the CRD, the namespace).
    List<String> accepted = applied.stdout().lines().toList();
    for (ObjectNode object : kustomize("default").all()) {
      String kind = object.path("kind").asText().toLowerCase(Locale.ROOT);
      String name = object.at("/metadata/name").asText();
      assertThat(accepted)
          .as("%s in the dry run's output", Manifests.key(object))
          .anyMatch(
              line ->
                  line.matches(
                      Pattern.quote(kind)
                          + "(\\.[a-z0-9.]+)?/"
                          + Pattern.quote(name)
                          + " (created|configured|unchanged) \\(server dry run\\)"));
    }
  }

  /** The default install with the cert-manager objects and TRACEROLL_WEBHOOK_CERT_MODE set. */
  static Manifests certManagerInstall() throws IOException {
    Manifests expected =
        Manifests.fixture("canonical.yaml").plus(Manifests.fixture("cert-manager.yaml"));
    ObjectNode env =
        (ObjectNode)
            expected
                .get("Deployment", "traceroll-operator")
                .at("/spec/template/spec/containers/0/env/1");
    assertThat(env.path("name").asText()).isEqualTo("TRACEROLL_WEBHOOK_CERT_MODE");
    env.set("value", TextNode.valueOf("cert-manager"));
    return expected;
  }

  static Manifests helmTemplate(String... values) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(templateArgs());
    args.addAll(List.of(values));
    return Manifests.parse(PinnedTool.HELM.succeed(args.toArray(String[]::new)).stdout());
  }

  /**
   * Renders for the Kubernetes version the tests run against: a helm built from Go modules without
   * Helm's release ldflags assumes v1.20, below the chart's kubeVersion.
   */
  private static List<String> templateArgs() throws IOException {
    return List.of(
        "template",
        "traceroll",
        CHART.toString(),
        "-n",
        NAMESPACE,
        "--kube-version",
        kubeVersion());
  }

  static String kubeVersion() throws IOException {
    return PinnedTool.pinned("K8S_VERSION");
  }

  private static Manifests kustomize(String overlay) throws IOException, InterruptedException {
    return Manifests.parse(
        PinnedTool.KUBECTL.succeed("kustomize", "../deploy/" + overlay).stdout());
  }

  private static Manifests withoutNamespaceAndCrd(Manifests rendered) {
    return rendered.only(
        o ->
            !o.path("kind").asText().equals("Namespace")
                && !o.path("kind").asText().equals("CustomResourceDefinition"));
  }

  /** kustomize labels the Namespace and the CRD too; otherwise the CRD is the generated one. */
  private static void assertNamespaceAndLabelledCrd(Manifests rendered) throws IOException {
    assertThat(rendered.get("Namespace", NAMESPACE).at("/metadata/labels/app.kubernetes.io~1name"))
        .hasToString("\"traceroll\"");
    ObjectNode crd = rendered.get("CustomResourceDefinition", "tracingpolicies.traceroll.io");
    ObjectNode generated = Manifests.parse(Files.readString(CRD)).all().get(0);
    assertThat(crd.path("spec")).isEqualTo(generated.path("spec"));
    assertThat(crd.at("/metadata/labels/app.kubernetes.io~1part-of").asText())
        .isEqualTo("traceroll");
  }
}
