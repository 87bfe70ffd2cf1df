package io.traceroll.policy;

import static io.traceroll.policy.TestPolicies.JSON;
import static io.traceroll.policy.TestPolicies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.traceroll.policy.PodView.ContainerView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the injection decision reads of a pod: the webhook's pod JSON and the rollout's pod template
 * give the same view, and missing parts read as empty.
 */
class PodViewTest {
  static final PodView EMPTY = new PodView(Map.of(), Map.of(), List.of(), List.of());
  static final ContainerView APP = new ContainerView("app", "registry.example.com/app:1");

  static Stream<Arguments> pods() {
    return Stream.of(
        view(
            "a whole pod",
            "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'tier':'web'},"
                + "'annotations':{'traceroll.io/container-names':'migrate'}},'spec':{"
                + "'initContainers':[{'name':'migrate','image':'flyway:10'}],'containers':["
                + "{'name':'app','image':'registry.example.com/app:1'},"
                + "{'name':'istio-proxy','image':'docker.io/istio/proxyv2:1.24.0'}]}}",
            new PodView(
                Map.of("tier", "web"),
                Map.of("traceroll.io/container-names", "migrate"),
                List.of(new ContainerView("migrate", "flyway:10")),
                List.of(APP, new ContainerView("istio-proxy", "docker.io/istio/proxyv2:1.24.0")))),
        view(
            "no metadata",
            "{'spec':{'containers':[{'name':'app','image':'registry.example.com/app:1'}]}}",
            new PodView(Map.of(), Map.of(), List.of(), List.of(APP))),
        view(
            "metadata without labels or annotations",
            "{'metadata':{'name':'p'},'spec':{'containers':[]}}",
            EMPTY),
        view(
            "no spec",
            "{'metadata':{'labels':{'a':'b'}}}",
            new PodView(Map.of("a", "b"), Map.of(), List.of(), List.of())),
        view("a spec without containers", "{'spec':{'restartPolicy':'Never'}}", EMPTY),
        view("nothing at all", "{}", EMPTY),
        view(
            "a container without an image",
            "{'spec':{'containers':[{'name':'app'}]}}",
            new PodView(Map.of(), Map.of(), List.of(), List.of(new ContainerView("app", null)))));
  }

  static Arguments view(String why, String singleQuoted, PodView expected) {
    return Arguments.of(Named.of(why, json(singleQuoted)), expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void thePodJsonAndItsTemplateGiveTheSameView(JsonNode pod, PodView expected) throws Exception {
    PodTemplateSpec template = JSON.treeToValue(pod, PodTemplateSpec.class);

    assertThat(PodView.of(pod)).isEqualTo(expected);
    assertThat(PodView.of(template)).isEqualTo(expected);
  }

  @Test
  void aTemplateWithoutMetadataSpecOrTheirMapsAndListsReadsAsEmpty() {
    assertThat(PodView.of(new PodTemplateSpec())).isEqualTo(EMPTY);

    ObjectMeta meta = new ObjectMeta();
    meta.setLabels(null);
    meta.setAnnotations(null);
    PodSpec spec = new PodSpec();
    spec.setInitContainers(null);
    spec.setContainers(null);
    assertThat(PodView.of(new PodTemplateSpec(meta, spec))).isEqualTo(EMPTY);
  }

  @Test
  void aTemplateBuiltInCodeReadsLikeItsJson() {
    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .addToLabels("tier", "web")
            .addToAnnotations("traceroll.io/inject", "false")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.example.com/app:1")
            .endContainer()
            .endSpec()
            .build();

    PodView view = PodView.of(template);

    assertThat(view)
        .isEqualTo(
            new PodView(
                Map.of("tier", "web"),
                Map.of("traceroll.io/inject", "false"),
                List.of(),
                List.of(APP)));
    assertThat(view).isEqualTo(PodView.of(JSON.valueToTree(template)));
  }

  @Test
  void labelsAndAnnotationsThatAreNoStringsAreLeftOutOfTheJsonView() {
    PodView view =
        PodView.of(
            json(
                "{'metadata':{'labels':{'tier':'web','replicas':3},"
                    + "'annotations':{'a':'b','nested':{'x':1},'none':null}}}"));

    assertThat(view.labels()).containsExactly(Map.entry("tier", "web"));
    assertThat(view.annotations()).containsExactly(Map.entry("a", "b"));
  }

  @Test
  void anAnnotationIsReadByKeyAndIsNullWhenAbsent() {
    PodView view = PodView.of(json("{'metadata':{'annotations':{'traceroll.io/inject':'false'}}}"));

    assertThat(view.annotation("traceroll.io/inject")).isEqualTo("false");
    assertThat(view.annotation("traceroll.io/container-names")).isNull();
  }
}
