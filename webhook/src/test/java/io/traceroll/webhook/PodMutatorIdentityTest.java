package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.AGENT;
import static io.traceroll.webhook.TestPods.MULTI;
import static io.traceroll.webhook.TestPods.attributes;
import static io.traceroll.webhook.TestPods.json;
import static io.traceroll.webhook.TestPods.mutate;
import static io.traceroll.webhook.TestPods.row;
import static io.traceroll.webhook.TestPods.settings;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.TestPods.Mutation;
import io.traceroll.webhook.TestPods.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutator suite, service identity and resource attributes: the service name, the owning
 * workload, the version, and the whole environment a plain Deployment pod ends up with.
 */
class PodMutatorIdentityTest {
  static Stream<Row> rows() {
    return Stream.of(
        row(
            "a Deployment pod gets the agent and the whole OTEL environment",
            TestPods.DEPLOYMENT,
            TestPolicies.settings(),
            PodMutatorIdentityTest::wholeEnvironmentOfADeploymentPod),
        row(
            "a Deployment's pod is named after the Deployment",
            MULTI,
            m -> {
              for (String name : List.of("app", "worker")) {
                assertThat(value(m.after(), name, "OTEL_SERVICE_NAME"))
                    .as(name)
                    .isEqualTo("checkout");
                assertThat(attributes(value(m.after(), name, "OTEL_RESOURCE_ATTRIBUTES")))
                    .containsEntry("k8s.deployment.name", "checkout")
                    .doesNotContainKey("k8s.replicaset.name");
              }
              // The worker's image carries both a tag and a digest: the tag is the version.
              assertThat(attributes(value(m.after(), "worker", "OTEL_RESOURCE_ATTRIBUTES")))
                  .containsEntry("service.version", "2.0.1")
                  .containsEntry("k8s.container.name", "worker");
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void identifiesTheService(Row row) {
    row.check();
  }

  static void wholeEnvironmentOfADeploymentPod(Mutation m) {
    EnvOf app = new EnvOf(m, "app");
    app.is("JAVA_TOOL_OPTIONS", "-Xmx256m " + AGENT);
    app.is("OTEL_SERVICE_NAME", "checkout");
    app.is("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector.obs.svc:4317");
    app.is("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
    app.is("OTEL_TRACES_SAMPLER", "parentbased_jaeger_remote");
    app.is(
        "OTEL_TRACES_SAMPLER_ARG",
        "endpoint=http://default-sampling.obs.svc:14250,pollingIntervalMs=30000,"
            + "initialSamplingRate=0.25");
    app.is("OTEL_PROPAGATORS", "tracecontext,baggage");
    app.is(
        "OTEL_RESOURCE_ATTRIBUTES",
        "k8s.namespace.name=shop,k8s.pod.name=$(TRACEROLL_POD_NAME),"
            + "k8s.node.name=$(TRACEROLL_NODE_NAME),k8s.container.name=app,"
            + "k8s.deployment.name=checkout,service.version=1.4.2,"
            + "service.instance.id=shop.$(TRACEROLL_POD_NAME).app");
    assertThat(m.after().at("/metadata/annotations/traceroll.io~1injected").asText())
        .isEqualTo("obs.default@3");
    assertThat(m.after().at("/metadata/annotations/traceroll.io~1agent-version").asText())
        .isEqualTo("2.33.1");
  }

  /** One container's env values. */
  record EnvOf(Mutation m, String container) {
    void is(String variable, String expected) {
      assertThat(value(m.after(), container, variable)).as(variable).isEqualTo(expected);
    }
  }

  static final String ANNOTATION = "'resource.opentelemetry.io/service.name':'from-annotation'";
  static final String LABEL = "'app.kubernetes.io/name':'from-label'";
  static final String OWNER =
      "'ownerReferences':[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'from-owner-5d8f7c9b6',"
          + "'uid':'u','controller':true}]";
  static final String STATEFUL_SET =
      "'ownerReferences':[{'kind':'StatefulSet','name':'from-statefulset','controller':true}]";
  static final String HASH = "'pod-template-hash':'5d8f7c9b6'";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          annotation beats everything | from-annotation  | ANNOTATION,LABEL,OWNER,NAME,GENERATE
          label beats owner and name  | from-label       | LABEL,OWNER,NAME,GENERATE
          owner beats pod name        | from-owner       | OWNER,NAME,GENERATE
          any controller owner counts | from-statefulset | STATEFULSET,NAME
          pod name beats generateName | from-name        | NAME,GENERATE
          generateName without dash   | from-generate    | GENERATE
          container name last         | app              | NONE
          """)
  void serviceNameFollowsThePrecedence(String why, String expected, String parts) {
    List<String> p = List.of(parts.split(","));
    List<String> meta = new ArrayList<>();
    if (p.contains("NAME")) {
      meta.add("'name':'from-name'");
    }
    if (p.contains("GENERATE")) {
      meta.add("'generateName':'from-generate-'");
    }
    List<String> labels = new ArrayList<>();
    if (p.contains("LABEL")) {
      labels.add(LABEL);
    }
    if (p.contains("OWNER")) {
      labels.add(HASH);
      meta.add(OWNER);
    }
    if (p.contains("STATEFULSET")) {
      meta.add(STATEFUL_SET);
    }
    if (!labels.isEmpty()) {
      meta.add("'labels':{" + String.join(",", labels) + "}");
    }
    if (p.contains("ANNOTATION")) {
      meta.add("'annotations':{" + ANNOTATION + "}");
    }
    String pod =
        "{'metadata':{"
            + String.join(",", meta)
            + "},'spec':{'containers':[{'name':'app','image':'r/app:1'}]}}";

    assertThat(value(mutate(json(pod), settings()).after(), "app", "OTEL_SERVICE_NAME"))
        .as(why)
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} with label [{1}] -> [{2}]")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          registry.example.com/shop/cart:4.1.0                              | -     | 4.1.0
          registry.example.com/shop/cart:4.1.0                              | 9.9.9 | 9.9.9
          registry.example.com:5000/cart:2.1@sha256:0123456789abcdef        | -     | 2.1
          registry.example.com:5000/cart@sha256:0123456789abcdef            | -     | -
          registry.example.com:5000/cart                                    | -     | -
          cart@sha256:0123456789abcdef                                      | 3     | 3
          """)
  void serviceVersionComesFromTheLabelElseTheImageTagButNeverADigest(
      String image, String label, String expected) {
    String labels = label == null ? "" : ",'labels':{'app.kubernetes.io/version':'" + label + "'}";
    String pod =
        "{'metadata':{'name':'p'"
            + labels
            + "},'spec':{'containers':[{'name':'app','image':'"
            + image
            + "'}]}}";

    Map<String, String> attributes =
        attributes(value(mutate(json(pod), settings()).after(), "app", "OTEL_RESOURCE_ATTRIBUTES"));
    if (expected == null) {
      assertThat(attributes).doesNotContainKey("service.version");
    } else {
      assertThat(attributes).containsEntry("service.version", expected);
    }
    assertThat(String.valueOf(attributes.get("service.version"))).doesNotContain("sha256");
  }
}
