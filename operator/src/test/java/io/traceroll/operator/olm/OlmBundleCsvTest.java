package io.traceroll.operator.olm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.CRDDescription;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.ClusterServiceVersion;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.InstallMode;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.RelatedImage;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.StrategyDeploymentPermissions;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.StrategyDetailsDeployment;
import io.fabric8.openshift.api.model.operatorhub.v1alpha1.WebhookDescription;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.admission.MutatingWebhookRenderer;
import io.traceroll.operator.admission.WebhookConfig;
import io.traceroll.operator.runtime.Leadership;
import io.traceroll.webhook.AdmissionServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bundle's ClusterServiceVersion is well-formed and says what the operator does: the Deployment
 * runs it in the olm certificate mode, the RBAC is the install spec's, the webhook OLM registers is
 * the one the operator registers itself in self mode, and what the console shows (example,
 * descriptors) comes from the example file and the CRD. operator-sdk's own validation runs in the
 * e2e tier (OlmBundleE2eTest).
 */
class OlmBundleCsvTest {
  static final ClusterServiceVersion CSV = Bundle.csv();
  static final StrategyDetailsDeployment INSTALL = CSV.getSpec().getInstall().getSpec();
  static final Path EXAMPLE = Bundle.ROOT.resolve("examples/tracingpolicy-tempo.yaml");
  static final Path CRD = Bundle.MANIFESTS.resolve("tracingpolicies.traceroll.io-v1.yml");

  @Test
  void everyFieldIsOneOlmAndKubernetesKnow() {
    assertThat(Bundle.unknownFields(CSV)).isEmpty();
  }

  @Test
  void installsOneDeploymentForAllNamespaces() {
    assertThat(CSV.getMetadata().getName()).isEqualTo("traceroll.v" + CSV.getSpec().getVersion());
    assertThat(CSV.getSpec().getInstall().getStrategy()).isEqualTo("deployment");
    assertThat(CSV.getSpec().getInstallModes())
        .extracting(InstallMode::getType, InstallMode::getSupported)
        .containsExactlyInAnyOrder(
            tuple("AllNamespaces", true),
            tuple("OwnNamespace", false),
            tuple("SingleNamespace", false),
            tuple("MultiNamespace", false));
    assertThat(INSTALL.getDeployments())
        .singleElement()
        .satisfies(d -> assertThat(d.getName()).isEqualTo("traceroll-operator"));
  }

  @Test
  void deploymentRunsTheOperatorWithOlmMountedCertificates() {
    DeploymentSpec spec = INSTALL.getDeployments().get(0).getSpec();
    Map<String, String> podLabels = spec.getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(spec.getSelector().getMatchLabels());
    assertThat(spec.getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(INSTALL.getClusterPermissions().get(0).getServiceAccountName())
        .isEqualTo(INSTALL.getPermissions().get(0).getServiceAccountName());

    Container operator = spec.getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getImage())
        .isEqualTo(CSV.getMetadata().getAnnotations().get("containerImage"));
    assertThat(operator.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly(
            "TRACEROLL_NAMESPACE",
            "TRACEROLL_WEBHOOK_CERT_MODE",
            "TRACEROLL_WEBHOOK_SERVICE",
            "TRACEROLL_WEBHOOK_SECRET",
            "TRACEROLL_SAMPLING_SERVICE",
            "JAVA_TOOL_OPTIONS");
    // OLM mounts the certificate it generates where the olm mode reads it.
    WebhookConfig config =
        WebhookConfig.fromEnvironment(
            Map.of(
                "TRACEROLL_WEBHOOK_CERT_MODE", valueOf(operator, "TRACEROLL_WEBHOOK_CERT_MODE")));
    assertThat(config.certMode()).isEqualTo(WebhookConfig.CertMode.OLM);
    assertThat(config.certDir()).hasToString("/tmp/k8s-webhook-server/serving-certs");

    List<String> portNames = operator.getPorts().stream().map(ContainerPort::getName).toList();
    assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isIn(portNames);
    assertThat(operator.getReadinessProbe().getHttpGet().getPort().getStrVal()).isIn(portNames);
    assertThat(operator.getVolumeMounts())
        .allMatch(
            m ->
                spec.getTemplate().getSpec().getVolumes().stream()
                    .anyMatch(v -> v.getName().equals(m.getName())));
  }

  @Test
  void rbacIsTheCanonicalInstallSpec() {
    assertThat(rules(INSTALL.getClusterPermissions()))
        .containsExactly(
            "traceroll.io tracingpolicies: get list watch patch",
            "traceroll.io tracingpolicies/status: patch",
            "traceroll.io tracingpolicies/finalizers: update",
            " configmaps: get list watch create update delete",
            " services: get list watch create patch delete",
            " secrets: get create patch delete",
            " pods: get list watch create patch",
            " namespaces: get list watch",
            " events: create",
            "apps deployments statefulsets: get list watch create patch delete",
            "apps daemonsets: get list watch patch",
            "admissionregistration.k8s.io mutatingwebhookconfigurations: get create patch");
    // OLM lifts these to the cluster for an all-namespaces group: all but create name the Lease;
    // pods' delete adds nothing there to the cluster rules' create.
    assertThat(rules(INSTALL.getPermissions()))
        .containsExactly(
            "coordination.k8s.io leases: create",
            "coordination.k8s.io leases/" + Leadership.LEASE_NAME + ": get update patch",
            " pods: delete");
  }

  @Test
  void olmRegistersTheWebhookTheOperatorRegistersInSelfMode() throws Exception {
    WebhookConfig defaults = WebhookConfig.fromEnvironment(Map.of());
    MutatingWebhook self =
        MutatingWebhookRenderer.render(
                List.of(Bundle.read(EXAMPLE, TracingPolicy.class)),
                defaults,
                "traceroll-system",
                null)
            .getWebhooks()
            .get(0);

    assertThat(CSV.getSpec().getWebhookdefinitions())
        .singleElement()
        .satisfies(
            olm -> {
              assertThat(olm.getType()).isEqualTo("MutatingAdmissionWebhook");
              assertThat(olm.getDeploymentName())
                  .isEqualTo(INSTALL.getDeployments().get(0).getName());
              assertThat(olm.getContainerPort()).isEqualTo(defaults.port());
              assertThat(olm.getTargetPort().getIntVal()).isEqualTo(defaults.port());
              assertThat(olm.getWebhookPath()).isEqualTo(AdmissionServer.MUTATE_PATH);
              assertThat(olm.getGenerateName()).endsWith(".traceroll.io");
              assertThat(olm)
                  .extracting(
                      WebhookDescription::getAdmissionReviewVersions,
                      WebhookDescription::getSideEffects,
                      WebhookDescription::getFailurePolicy,
                      WebhookDescription::getMatchPolicy,
                      WebhookDescription::getReinvocationPolicy,
                      WebhookDescription::getTimeoutSeconds,
                      WebhookDescription::getRules,
                      WebhookDescription::getObjectSelector)
                  .containsExactly(
                      self.getAdmissionReviewVersions(),
                      self.getSideEffects(),
                      self.getFailurePolicy(),
                      self.getMatchPolicy(),
                      self.getReinvocationPolicy(),
                      self.getTimeoutSeconds(),
                      self.getRules(),
                      self.getObjectSelector());
            });
  }

  @Test
  void almExampleIsTheTempoExample() throws Exception {
    JsonNode examples =
        new ObjectMapper().readTree(CSV.getMetadata().getAnnotations().get("alm-examples"));
    assertThat(examples).containsExactly(Bundle.tree(EXAMPLE));
  }

  @Test
  void ownedApiIsTheBundledCrdDescribedByItsOwnDescriptions() {
    JsonNode crd = Bundle.tree(CRD);
    JsonNode version = crd.at("/spec/versions/0");
    JsonNode schema = version.at("/schema/openAPIV3Schema/properties");
    CRDDescription owned = CSV.getSpec().getCustomresourcedefinitions().getOwned().get(0);
    assertThat(CSV.getSpec().getCustomresourcedefinitions().getOwned()).hasSize(1);
    assertThat(owned.getName()).isEqualTo(crd.at("/metadata/name").asText());
    assertThat(owned.getVersion()).isEqualTo(version.path("name").asText());
    assertThat(owned.getKind()).isEqualTo(crd.at("/spec/names/kind").asText());
    assertThat(owned.getSpecDescriptors()).isNotEmpty();
    assertThat(owned.getStatusDescriptors()).isNotEmpty();
    Stream.concat(
            owned.getSpecDescriptors().stream()
                .map(d -> Map.entry("spec." + d.getPath(), d.getDescription())),
            owned.getStatusDescriptors().stream()
                .map(d -> Map.entry("status." + d.getPath(), d.getDescription())))
        .forEach(
            d ->
                assertThat(d.getValue())
                    .as("description of %s", d.getKey())
                    .isEqualTo(describe(schema, d.getKey())));
  }

  @Test
  void relatedImagesAreWhatTheOperatorDeploys() {
    assertThat(CSV.getSpec().getRelatedImages())
        .extracting(RelatedImage::getImage)
        .containsExactlyInAnyOrder(
            CSV.getMetadata().getAnnotations().get("containerImage"),
            Traceroll.DEFAULT_TEMPO_IMAGE,
            Traceroll.DEFAULT_AGENT_IMAGE,
            Traceroll.DEFAULT_GATEWAY_IMAGE);
  }

  @Test
  void iconIsTheCommittedSvg() throws Exception {
    assertThat(CSV.getSpec().getIcon())
        .singleElement()
        .satisfies(
            icon -> {
              assertThat(icon.getMediatype()).isEqualTo("image/svg+xml");
              assertThat(Base64.getDecoder().decode(icon.getBase64data()))
                  .isEqualTo(Files.readAllBytes(Bundle.ROOT.resolve("docs/traceroll-icon.svg")));
            });
  }

  private static String valueOf(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private static List<String> rules(List<StrategyDeploymentPermissions> permissions) {
    assertThat(permissions).hasSize(1);
    return permissions.get(0).getRules().stream().map(OlmBundleCsvTest::rule).toList();
  }

  private static String rule(PolicyRule r) {
    return String.join(" ", r.getApiGroups())
        + " "
        + String.join(" ", r.getResources())
        + (r.getResourceNames().isEmpty() ? "" : "/" + String.join(",", r.getResourceNames()))
        + ": "
        + String.join(" ", r.getVerbs());
  }

  private static String describe(JsonNode properties, String path) {
    JsonNode node = null;
    for (String part : path.split("\\.")) {
      node = properties.path(part);
      properties = node.path("properties");
    }
    assertThat(node.isMissingNode()).as("%s is in the CRD", path).isFalse();
    return node.path("description").asText();
  }
}
