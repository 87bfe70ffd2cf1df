package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.AGENT;
import static io.traceroll.webhook.TestPods.AGENT_IMAGE;
import static io.traceroll.webhook.TestPods.MULTI;
import static io.traceroll.webhook.TestPods.asPod;
import static io.traceroll.webhook.TestPods.bytes;
import static io.traceroll.webhook.TestPods.container;
import static io.traceroll.webhook.TestPods.imageVolumeSettings;
import static io.traceroll.webhook.TestPods.json;
import static io.traceroll.webhook.TestPods.names;
import static io.traceroll.webhook.TestPods.row;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.traceroll.webhook.TestPods.Mutation;
import io.traceroll.webhook.TestPods.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutator suite, volumes and init containers: which containers mount the agent and where, the
 * init container that copies it (first, restricted), clashes with the user's volumes and mount
 * paths, the image-volume mode, and init containers the annotation names.
 */
class PodMutatorVolumesTest {
  static final String CLASH = "volume-and-mount-clash-pod.json";
  static final String INIT_TARGET = "init-container-target-pod.json";
  static final JsonNode AGENT_MOUNT =
      json("{'name':'traceroll-agent','mountPath':'/traceroll/agent','readOnly':true}");

  static Stream<Row> rows() {
    return Stream.of(
        row(
            "every application container of a multi-container pod mounts and loads the agent",
            MULTI,
            m -> {
              for (String name : List.of("app", "worker")) {
                assertThat(container(m.after(), name).path("volumeMounts"))
                    .as(name)
                    .contains(AGENT_MOUNT);
                assertThat(value(m.after(), name, "JAVA_TOOL_OPTIONS"))
                    .as(name)
                    .endsWith(" " + AGENT);
                assertThat(value(m.after(), name, "OTEL_EXPORTER_OTLP_ENDPOINT"))
                    .isEqualTo("http://otel-collector.observability.svc:4317");
              }
              assertThat(asPod(m.after()).getSpec().getContainers())
                  .extracting(Container::getName)
                  .containsExactly("app", "worker", "istio-proxy", "fluent-bit");
            }),
        row(
            "the agent's init container comes first, copies the agent and meets the restricted"
                + " standard",
            MULTI,
            PodMutatorVolumesTest::agentInitContainerIsFirstAndRestricted),
        row(
            "the annotation can name an init container, which then runs after the agent copy",
            INIT_TARGET,
            m -> {
              assertThat(names(m.after().at("/spec/initContainers")))
                  .containsExactly("traceroll-agent-init", "wait-for-db", "db-migrate");
              assertThat(value(m.after(), "db-migrate", "_JAVA_OPTIONS")).isEqualTo(AGENT);
              assertThat(value(m.after(), "db-migrate", "OTEL_SERVICE_NAME"))
                  .isEqualTo("ledger-7c9d4");
              assertThat(bytes(container(m.after(), "wait-for-db")))
                  .isEqualTo(bytes(container(m.before(), "wait-for-db")));
              assertThat(bytes(container(m.after(), "ledger")))
                  .as("the annotation limits injection to the containers it names")
                  .isEqualTo(bytes(container(m.before(), "ledger")));
            }),
        row(
            "a user volume named like ours is left alone and ours takes a suffix",
            CLASH,
            m -> {
              JsonNode volumes = m.after().at("/spec/volumes");
              assertThat(volumes.get(0)).isEqualTo(m.before().at("/spec/volumes/0"));
              assertThat(volumes.get(1)).isEqualTo(m.before().at("/spec/volumes/1"));
              assertThat(volumes).hasSize(3);
              assertThat(volumes.get(2))
                  .isEqualTo(json("{'name':'traceroll-agent-2','emptyDir':{'sizeLimit':'128Mi'}}"));
              assertThat(m.after().at("/spec/initContainers/0/volumeMounts/0/name").asText())
                  .isEqualTo("traceroll-agent-2");
              // The user's own mount of their volume is untouched.
              assertThat(container(m.after(), "app").at("/volumeMounts/0"))
                  .isEqualTo(json("{'name':'traceroll-agent','mountPath':'/etc/traceroll'}"));
            }),
        row(
            "a taken mount path moves the agent to a free one",
            CLASH,
            PodMutatorVolumesTest::freePaths),
        row(
            "image-volume mode mounts the agent image and adds no init container",
            MULTI,
            imageVolumeSettings(),
            m -> {
              assertThat(m.after().has("spec")).isTrue();
              assertThat(m.after().at("/spec/initContainers").isMissingNode()).isTrue();
              assertThat(m.after().at("/spec/volumes/2"))
                  .isEqualTo(
                      json(
                          "{'name':'traceroll-agent','image':{'reference':'"
                              + AGENT_IMAGE
                              + "','pullPolicy':'IfNotPresent'}}"));
              assertThat(value(m.after(), "app", "JAVA_TOOL_OPTIONS"))
                  .isEqualTo("-Xmx512m -XX:+UseG1GC " + AGENT);
              assertThat(container(m.after(), "worker").path("volumeMounts")).contains(AGENT_MOUNT);
            }),
        row(
            "image-volume mode leaves existing init containers as they were",
            INIT_TARGET,
            imageVolumeSettings(),
            m -> {
              assertThat(names(m.after().at("/spec/initContainers")))
                  .containsExactly("wait-for-db", "db-migrate");
              assertThat(value(m.after(), "db-migrate", "_JAVA_OPTIONS")).isEqualTo(AGENT);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void addsTheAgentVolume(Row row) {
    row.check();
  }

  static void agentInitContainerIsFirstAndRestricted(Mutation m) {
    Container init = asPod(m.after()).getSpec().getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("traceroll-agent-init");
    assertThat(init.getImage()).isEqualTo(AGENT_IMAGE);
    assertThat(init.getCommand())
        .containsExactly("cp", "/javaagent.jar", "/traceroll/agent/javaagent.jar");
    JsonNode mounts = json("{'m':[{'name':'traceroll-agent','mountPath':'/traceroll/agent'}]}");
    assertThat(m.after().at("/spec/initContainers/0/volumeMounts")).isEqualTo(mounts.get("m"));
    SecurityContext sc = init.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).isNotNull().isPositive();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(asPod(m.after()).getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("traceroll-agent"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  static void freePaths(Mutation m) {
    assertThat(container(m.after(), "app").at("/volumeMounts/2"))
        .isEqualTo(
            json("{'name':'traceroll-agent-2','mountPath':'/traceroll/agent-2','readOnly':true}"));
    assertThat(value(m.after(), "app", "_JAVA_OPTIONS"))
        .isEqualTo("-javaagent:/traceroll/agent-2/javaagent.jar");
    assertThat(container(m.after(), "batch").at("/volumeMounts/2"))
        .isEqualTo(
            json("{'name':'traceroll-agent-2','mountPath':'/traceroll/agent-3','readOnly':true}"));
    assertThat(value(m.after(), "batch", "_JAVA_OPTIONS"))
        .isEqualTo("-javaagent:/traceroll/agent-3/javaagent.jar");
    for (String name : List.of("app", "batch")) {
      List<String> paths = new ArrayList<>();
      container(m.after(), name)
          .path("volumeMounts")
          .forEach(v -> paths.add(v.path("mountPath").asText()));
      assertThat(paths).as(name).doesNotHaveDuplicates();
    }
  }
}
