package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.MULTI;
import static io.traceroll.webhook.TestPods.bytes;
import static io.traceroll.webhook.TestPods.container;
import static io.traceroll.webhook.TestPods.decideAndMutate;
import static io.traceroll.webhook.TestPods.imageVolumeSettings;
import static io.traceroll.webhook.TestPods.json;
import static io.traceroll.webhook.TestPods.mutate;
import static io.traceroll.webhook.TestPods.pod;
import static io.traceroll.webhook.TestPods.row;
import static io.traceroll.webhook.TestPods.settings;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.webhook.TestPods.Result;
import io.traceroll.webhook.TestPods.Row;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutator suite, what it leaves alone: pods it skips (with the reason), sidecars and fields it
 * does not know, and pods it already mutated (a second pass changes nothing); and what it records
 * on the pods it does mutate.
 */
class PodMutatorSkipsTest {
  static Stream<Row> rows() {
    return Stream.of(
        row(
            "sidecars and other unselected containers stay byte-identical",
            MULTI,
            PodMutatorSkipsTest::sidecarsStayByteIdentical),
        row(
            "unknown fields and unrelated user data survive",
            MULTI,
            m -> {
              JsonNode before = m.before();
              JsonNode after = m.after();
              assertThat(after.at("/metadata/someFutureMetadata"))
                  .isEqualTo(before.at("/metadata/someFutureMetadata"));
              assertThat(after.at("/spec/futureSpecField").asText()).isEqualTo("survives");
              assertThat(container(after, "app").path("futureContainerField"))
                  .isEqualTo(container(before, "app").path("futureContainerField"));
              assertThat(after.at("/metadata/annotations/prometheus.io~1scrape").asText())
                  .isEqualTo("true");
              assertThat(after.at("/spec/volumes/0")).isEqualTo(before.at("/spec/volumes/0"));
              assertThat(after.at("/spec/volumes/1")).isEqualTo(before.at("/spec/volumes/1"));
              assertThat(value(after, "app", "SPRING_PROFILES_ACTIVE")).isEqualTo("prod");
              assertThat(value(after, "worker", "QUEUE")).isEqualTo("orders");
            }),
        row(
            "the policy generation, agent version and injection hash are recorded on the pod",
            MULTI,
            m -> {
              JsonNode annotations = m.after().at("/metadata/annotations");
              assertThat(annotations.path("traceroll.io/injected").asText())
                  .isEqualTo("obs.tracing@7");
              assertThat(annotations.path("traceroll.io/agent-version").asText())
                  .isEqualTo("2.33.1");
              assertThat(annotations.path("traceroll.io/injection-hash").asText())
                  .isEqualTo(settings().injectionHash());
              assertThat(annotations.path("kubectl.kubernetes.io/default-container").asText())
                  .isEqualTo("app");
            }),
        row(
            "annotations are created on a pod that had none",
            "volume-and-mount-clash-pod.json",
            m -> {
              assertThat(m.after().at("/metadata/annotations/traceroll.io~1injected").asText())
                  .isEqualTo("obs.tracing@7");
              assertThat(m.after().at("/metadata/name").asText()).isEqualTo("clash");
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void leavesAloneWhatIsNotOurs(Row row) {
    row.check();
  }

  static void sidecarsStayByteIdentical(TestPods.Mutation m) {
    for (String name : List.of("istio-proxy", "fluent-bit")) {
      assertThat(bytes(container(m.after(), name)))
          .as(name)
          .isEqualTo(bytes(container(m.before(), name)));
    }
    // The proxy's own JAVA_TOOL_OPTIONS is not ours to touch.
    assertThat(value(m.after(), "istio-proxy", "JAVA_TOOL_OPTIONS")).isEqualTo("-Dnot.a.jvm=true");
    for (JsonNode op : m.result().patch()) {
      assertThat(op.path("path").asText())
          .as("no operation reaches into a sidecar")
          .doesNotStartWith("/spec/containers/2")
          .doesNotStartWith("/spec/containers/3");
    }
  }

  static final String[] OPTED_OUT = {"opted out", "traceroll.io/inject=false"};

  static Stream<Arguments> skipped() {
    return Stream.of(
        skip("opt-out annotation false", () -> optedOut("false"), OPTED_OUT),
        skip("opt-out annotation False", () -> optedOut("False"), OPTED_OUT),
        skip("opt-out annotation FALSE", () -> optedOut("FALSE"), OPTED_OUT),
        skip("no containers list", () -> pod("no-containers-pod.json"), "no containers"),
        skip(
            "an empty containers list",
            () -> {
              ObjectNode empty = pod("no-containers-pod.json");
              ((ObjectNode) empty.get("spec")).putArray("containers");
              return empty;
            },
            "no containers"),
        skip("no spec at all", () -> json("{'metadata':{'name':'x'}}"), "no containers"),
        skip(
            "only sidecars",
            () ->
                json(
                    "{'metadata':{},'spec':{'containers':[{'name':'linkerd-proxy','image':'x'}]}}"),
            "no container"));
  }

  static Arguments skip(String why, Supplier<ObjectNode> pod, String... reason) {
    return Arguments.of(Named.of(why, pod), List.of(reason));
  }

  static ObjectNode optedOut(String value) {
    ObjectNode pod = pod("opted-out-pod.json");
    ((ObjectNode) pod.at("/metadata/annotations")).put("traceroll.io/inject", value);
    return pod;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("skipped")
  void aSkippedPodGetsAnEmptyPatchAndAReason(Supplier<ObjectNode> pod, List<String> reason) {
    Result result = decideAndMutate(pod.get(), "shop", settings());

    assertThat(result.patch()).isEmpty();
    assertThat(result.changed()).isFalse();
    assertThat(result.skipReason()).contains(reason);
    assertThat(result.warnings()).isEmpty();
  }

  static Stream<Arguments> mutatedPods() {
    return Stream.of(
            TestPods.DEPLOYMENT,
            MULTI,
            "user-otel-settings-pod.json",
            "init-container-target-pod.json",
            "volume-and-mount-clash-pod.json")
        .flatMap(
            fixture ->
                Stream.of(
                    Arguments.of(fixture, Named.of("init-container mode", settings())),
                    Arguments.of(fixture, Named.of("image-volume mode", imageVolumeSettings()))));
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("mutatedPods")
  void mutatingTheResultAgainChangesNothing(String fixture, InjectionSettings settings) {
    TestPods.Mutation first = mutate(pod(fixture), settings);
    assertThat(first.result().changed()).isTrue();

    Result again = decideAndMutate(first.after(), "shop", settings);

    assertThat(again.patch()).isEmpty();
    assertThat(again.warnings()).isEmpty();
  }

  @Test
  void mutatingAgainAfterTheApiServerDefaultedOurAdditionsChangesNothing() {
    JsonNode once = mutate(pod(MULTI), settings()).after();
    ObjectNode defaulted = (ObjectNode) once.deepCopy();
    // What the API server adds when it decodes and defaults the patched pod.
    ObjectNode init = (ObjectNode) defaulted.at("/spec/initContainers/0");
    init.put("terminationMessagePath", "/dev/termination-log");
    init.put("terminationMessagePolicy", "File");
    for (String name : List.of("app", "worker")) {
      container(defaulted, name)
          .path("env")
          .forEach(
              e -> {
                if (e.at("/valueFrom/fieldRef").isObject()) {
                  ((ObjectNode) e.at("/valueFrom/fieldRef")).put("apiVersion", "v1");
                }
              });
    }

    assertThat(decideAndMutate(defaulted, "shop", settings()).patch()).isEmpty();
  }
}
