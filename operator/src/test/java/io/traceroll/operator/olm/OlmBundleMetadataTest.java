package io.traceroll.operator.olm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rest of the bundle: metadata/annotations.yaml, the bundle image's labels, and the plain
 * manifests OLM applies beside the CSV (the Services and the PodDisruptionBudget of the install
 * spec), which must select the operator's pods and name its ports.
 */
class OlmBundleMetadataTest {
  static final Path ANNOTATIONS = Bundle.ROOT.resolve("bundle/metadata/annotations.yaml");
  static final Path DOCKERFILE = Bundle.ROOT.resolve("bundle.Dockerfile");
  static final Path VERSIONS = Bundle.ROOT.resolve("e2e/local-cluster/versions.env");
  static final PodTemplateSpec POD =
      Bundle.csv().getSpec().getInstall().getSpec().getDeployments().get(0).getSpec().getTemplate();

  @Test
  void annotationsDeclareARegistryBundleOnTheAlphaChannel() {
    assertThat(annotations())
        .containsEntry("operators.operatorframework.io.bundle.mediatype.v1", "registry+v1")
        .containsEntry("operators.operatorframework.io.bundle.manifests.v1", "manifests/")
        .containsEntry("operators.operatorframework.io.bundle.metadata.v1", "metadata/")
        .containsEntry("operators.operatorframework.io.bundle.package.v1", "traceroll")
        .containsEntry("operators.operatorframework.io.bundle.channels.v1", "alpha")
        .containsEntry("operators.operatorframework.io.bundle.channel.default.v1", "alpha");
  }

  @Test
  void bundleImageLabelsRepeatTheAnnotations() throws IOException {
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^LABEL (\\S+)=(\\S+)$").matcher(Files.readString(DOCKERFILE));
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    assertThat(labels).isEqualTo(annotations());
    assertThat(Files.readString(DOCKERFILE))
        .contains("COPY bundle/manifests /manifests/", "COPY bundle/metadata /metadata/");
  }

  @Test
  void builderIsTheOperatorSdkThatValidatesTheBundle() throws IOException {
    Matcher pinned =
        Pattern.compile("(?m)^OPERATOR_SDK_VERSION=(\\S+)$").matcher(Files.readString(VERSIONS));
    assertThat(pinned.find()).isTrue();
    String builder = "operator-sdk-" + pinned.group(1);
    Map<String, String> csv = Bundle.csv().getMetadata().getAnnotations();
    assertThat(annotations())
        .containsEntry("operators.operatorframework.io.metrics.builder", builder);
    assertThat(csv).containsEntry("operators.operatorframework.io/builder", builder);
    assertThat(csv.get("operators.operatorframework.io/project_layout"))
        .isEqualTo(annotations().get("operators.operatorframework.io.metrics.project_layout"));
  }

  @Test
  void servicesSelectTheOperatorPodsByNamedPorts() {
    List<String> ports =
        POD.getSpec().getContainers().get(0).getPorts().stream()
            .map(ContainerPort::getName)
            .toList();
    assertThat(manifests("_v1_service.yaml"))
        .extracting(p -> Bundle.read(p, Service.class))
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("traceroll-webhook", "traceroll-sampling", "traceroll-metrics");
    for (Path file : manifests("_v1_service.yaml")) {
      Service service = Bundle.read(file, Service.class);
      assertThat(Bundle.unknownFields(service)).isEmpty();
      assertThat(POD.getMetadata().getLabels())
          .containsAllEntriesOf(service.getSpec().getSelector());
      assertThat(service.getSpec().getPorts())
          .extracting(ServicePort::getTargetPort)
          .allSatisfy(target -> assertThat(target.getStrVal()).isIn(ports));
    }
  }

  @Test
  void disruptionBudgetKeepsAnOperatorReplica() {
    PodDisruptionBudget pdb =
        Bundle.read(
            Bundle.MANIFESTS.resolve("traceroll-operator_policy_v1_poddisruptionbudget.yaml"),
            PodDisruptionBudget.class);
    assertThat(Bundle.unknownFields(pdb)).isEmpty();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(POD.getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  private static Map<String, String> annotations() {
    return Bundle.YAML.convertValue(
        Bundle.tree(ANNOTATIONS).path("annotations"), new TypeReference<Map<String, String>>() {});
  }

  private static List<Path> manifests(String suffix) {
    try (Stream<Path> files = Files.list(Bundle.MANIFESTS)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
