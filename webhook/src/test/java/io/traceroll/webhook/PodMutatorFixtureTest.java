package io.traceroll.webhook;

import static io.traceroll.webhook.AdmissionFixtures.AGENT;
import static io.traceroll.webhook.AdmissionFixtures.AGENT_IMAGE;
import static io.traceroll.webhook.AdmissionFixtures.apply;
import static io.traceroll.webhook.AdmissionFixtures.asPod;
import static io.traceroll.webhook.AdmissionFixtures.attributes;
import static io.traceroll.webhook.AdmissionFixtures.bytes;
import static io.traceroll.webhook.AdmissionFixtures.container;
import static io.traceroll.webhook.AdmissionFixtures.env;
import static io.traceroll.webhook.AdmissionFixtures.envNames;
import static io.traceroll.webhook.AdmissionFixtures.json;
import static io.traceroll.webhook.AdmissionFixtures.pod;
import static io.traceroll.webhook.AdmissionFixtures.references;
import static io.traceroll.webhook.AdmissionFixtures.settings;
import static io.traceroll.webhook.AdmissionFixtures.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mutator on realistic pods (fixtures under admission/pods): every patch is applied to the
 * original with zjsonpatch, as the API server does, and the assertions read the resulting pod.
 */
class PodMutatorFixtureTest {
  static final String MULTI = "multi-container-deployment-pod.json";

  record Mutation(JsonNode before, Mutations.Result result, JsonNode after) {}

  Mutation mutate(JsonNode pod) {
    return mutate(pod, settings());
  }

  Mutation mutate(JsonNode pod, InjectionSettings settings) {
    String original = bytes(pod);
    Mutations.Result result = Mutations.mutate(pod, "shop", settings);
    assertThat(bytes(pod)).as("the mutator leaves its input alone").isEqualTo(original);
    JsonNode after = apply(pod, result.patch());
    asPod(after);
    return new Mutation(pod, result, after);
  }

  static InjectionSettings imageVolumeSettings() {
    TracingPolicy policy = AdmissionFixtures.otlpPolicy("obs", "tracing", "2026-01-01T00:00:00Z");
    policy.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME);
    return InjectionSettings.of(policy);
  }

  // --- which containers ---

  @Test
  void instrumentsEveryApplicationContainerOfAMultiContainerPod() {
    Mutation m = mutate(pod(MULTI));

    for (String name : List.of("app", "worker")) {
      JsonNode c = container(m.after(), name);
      assertThat(c.path("volumeMounts").toString())
          .as(name)
          .contains("\"name\":\"traceroll-agent\",\"mountPath\":\"/traceroll/agent\"");
      assertThat(value(m.after(), name, "JAVA_TOOL_OPTIONS")).as(name).endsWith(" " + AGENT);
      assertThat(value(m.after(), name, "OTEL_EXPORTER_OTLP_ENDPOINT"))
          .isEqualTo("http://otel-collector.observability.svc:4317");
    }
    Pod typed = asPod(m.after());
    assertThat(typed.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("app", "worker", "istio-proxy", "fluent-bit");
  }

  @Test
  void sidecarsAndOtherUnselectedContainersStayByteIdentical() {
    Mutation m = mutate(pod(MULTI));

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

  @Test
  void unknownFieldsAndUnrelatedUserDataSurvive() {
    Mutation m = mutate(pod(MULTI));

    assertThat(m.after().at("/metadata/someFutureMetadata"))
        .isEqualTo(m.before().at("/metadata/someFutureMetadata"));
    assertThat(m.after().at("/spec/futureSpecField").asText()).isEqualTo("survives");
    assertThat(container(m.after(), "app").path("futureContainerField"))
        .isEqualTo(container(m.before(), "app").path("futureContainerField"));
    assertThat(m.after().at("/metadata/annotations/prometheus.io~1scrape").asText())
        .isEqualTo("true");
    assertThat(m.after().at("/spec/volumes/0")).isEqualTo(m.before().at("/spec/volumes/0"));
    assertThat(m.after().at("/spec/volumes/1")).isEqualTo(m.before().at("/spec/volumes/1"));
    assertThat(value(m.after(), "app", "SPRING_PROFILES_ACTIVE")).isEqualTo("prod");
    assertThat(value(m.after(), "worker", "QUEUE")).isEqualTo("orders");
  }

  // --- JAVA_TOOL_OPTIONS ---

  @Test
  void appendsTheAgentToALiteralJavaToolOptions() {
    Mutation m = mutate(pod(MULTI));

    assertThat(value(m.after(), "app", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-Xmx512m -XX:+UseG1GC " + AGENT);
    assertThat(envNames(m.after(), "app")).containsOnlyOnce("JAVA_TOOL_OPTIONS");
  }

  @Test
  void movesAJavaToolOptionsFromValueFromAsideAndComposesItWithTheAgent() {
    Mutation m = mutate(pod(MULTI));

    Map<String, JsonNode> env = env(m.after(), "worker");
    JsonNode moved = env.get("TRACEROLL_USER_JAVA_TOOL_OPTIONS");
    assertThat(moved.has("value")).isFalse();
    assertThat(moved.path("valueFrom"))
        .isEqualTo(json("{'configMapKeyRef':{'name':'jvm-opts','key':'worker'}}"));
    JsonNode ours = env.get("JAVA_TOOL_OPTIONS");
    assertThat(ours.has("valueFrom")).isFalse();
    assertThat(ours.path("value").asText())
        .isEqualTo("$(TRACEROLL_USER_JAVA_TOOL_OPTIONS) " + AGENT);
    List<String> names = envNames(m.after(), "worker");
    assertThat(names.indexOf("JAVA_TOOL_OPTIONS"))
        .isGreaterThan(names.indexOf("TRACEROLL_USER_JAVA_TOOL_OPTIONS"));
    assertThat(names).containsOnlyOnce("JAVA_TOOL_OPTIONS", "TRACEROLL_USER_JAVA_TOOL_OPTIONS");
    assertThat(m.result().warnings())
        .singleElement()
        .asString()
        .contains("worker")
        .contains("valueFrom")
        .contains("TRACEROLL_USER_JAVA_TOOL_OPTIONS");
  }

  @Test
  void userVariablesThatReferToAValueFromJavaToolOptionsStillResolve() {
    ObjectNode pod =
        json(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'JAVA_TOOL_OPTIONS','valueFrom':{'configMapKeyRef':{'name':'jvm','key':'opts'}}},"
                + "{'name':'JDK_JAVA_OPTIONS','value':'$(JAVA_TOOL_OPTIONS) -Dlauncher=1'}]}]}}");
    Mutation m = mutate(pod);

    // Before: JDK_JAVA_OPTIONS expands $(JAVA_TOOL_OPTIONS), defined earlier in the list.
    // After: JAVA_TOOL_OPTIONS must still be defined before it, or the kubelet leaves the
    // reference unexpanded and the launcher gets a literal "$(JAVA_TOOL_OPTIONS)".
    List<String> names = envNames(m.after(), "app");
    assertThat(names.indexOf("JAVA_TOOL_OPTIONS"))
        .isGreaterThanOrEqualTo(0)
        .isLessThan(names.indexOf("JDK_JAVA_OPTIONS"));
  }

  // --- the user's OTEL_* settings ---

  @Test
  void keepsTheOtelSettingsTheUserChose() {
    Mutation m = mutate(pod("user-otel-settings-pod.json"));

    assertThat(value(m.after(), "billing", "OTEL_SERVICE_NAME")).isEqualTo("legacy-billing");
    assertThat(value(m.after(), "billing", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://otel-agent.monitoring.svc:4317");
    assertThat(value(m.after(), "billing", "OTEL_TRACES_SAMPLER")).isEqualTo("always_on");
    assertThat(env(m.after(), "billing")).doesNotContainKey("OTEL_TRACES_SAMPLER_ARG");
    List<String> names = envNames(m.after(), "billing");
    assertThat(names)
        .containsOnlyOnce(
            "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER");
    // What the user did not set is still filled in.
    assertThat(value(m.after(), "billing", "JAVA_TOOL_OPTIONS")).isEqualTo(AGENT);
    assertThat(value(m.after(), "billing", "OTEL_PROPAGATORS")).isEqualTo("tracecontext,baggage");
  }

  @Test
  void theSamplerArgumentIsAddedWithTheSamplerWhenTheUserSetNeither() {
    Mutation m = mutate(pod(MULTI));

    assertThat(value(m.after(), "app", "OTEL_TRACES_SAMPLER"))
        .isEqualTo("parentbased_jaeger_remote");
    assertThat(value(m.after(), "app", "OTEL_TRACES_SAMPLER_ARG"))
        .startsWith("endpoint=http://")
        .endsWith(",pollingIntervalMs=30000,initialSamplingRate=1.0");
  }

  @Test
  void aUserChosenEndpointIsNotGivenThePolicysProtocolOrCredentials() {
    TracingPolicy policy = AdmissionFixtures.otlpPolicy("obs", "vendor", "2026-01-01T00:00:00Z");
    policy.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-api-key");
    ObjectNode pod =
        json(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'OTEL_EXPORTER_OTLP_ENDPOINT','value':'http://otel-agent.monitoring.svc:4318'}]}]}}");
    Mutation m = mutate(pod, InjectionSettings.of(policy));

    // The user's endpoint speaks the agent's default protocol (http/protobuf on 4318);
    // forcing the policy's grpc onto it breaks the export, and the vendor's API key must not
    // be sent to an endpoint the policy does not name.
    assertThat(env(m.after(), "app"))
        .doesNotContainKeys("OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS");
  }

  // --- OTEL_RESOURCE_ATTRIBUTES ---

  @Test
  void mergesALiteralResourceAttributesKeepingTheUsersKeysAndValues() {
    Mutation m = mutate(pod(MULTI));

    String raw = value(m.after(), "app", "OTEL_RESOURCE_ATTRIBUTES");
    Map<String, String> attributes = attributes(raw);
    assertThat(attributes)
        .containsEntry("team", "payments")
        .containsEntry("k8s.container.name", "checkout-main")
        .containsEntry("k8s.namespace.name", "shop")
        .containsEntry("k8s.pod.name", "$(TRACEROLL_POD_NAME)")
        .containsEntry("k8s.node.name", "$(TRACEROLL_NODE_NAME)")
        .containsEntry("k8s.deployment.name", "checkout")
        .containsEntry("service.version", "1.4.2")
        .containsEntry("service.instance.id", "shop.$(TRACEROLL_POD_NAME).app");
    assertThat(raw.split(",")).hasSize(attributes.size()); // no key twice
    assertThat(envNames(m.after(), "app")).containsOnlyOnce("OTEL_RESOURCE_ATTRIBUTES");
  }

  // --- identity ---

  @Test
  void aDeploymentPodIsNamedAfterItsDeployment() {
    Mutation m = mutate(pod(MULTI));

    for (String name : List.of("app", "worker")) {
      assertThat(value(m.after(), name, "OTEL_SERVICE_NAME")).as(name).isEqualTo("checkout");
      Map<String, String> attributes =
          attributes(value(m.after(), name, "OTEL_RESOURCE_ATTRIBUTES"));
      assertThat(attributes).containsEntry("k8s.deployment.name", "checkout");
      assertThat(attributes).doesNotContainKey("k8s.replicaset.name");
    }
    // The worker's image carries both a tag and a digest: the tag is the version.
    assertThat(attributes(value(m.after(), "worker", "OTEL_RESOURCE_ATTRIBUTES")))
        .containsEntry("service.version", "2.0.1")
        .containsEntry("k8s.container.name", "worker");
  }

  static final String ANNOTATION = "'resource.opentelemetry.io/service.name':'from-annotation'";
  static final String LABEL = "'app.kubernetes.io/name':'from-label'";
  static final String OWNER =
      "'ownerReferences':[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'from-owner-5d8f7c9b6',"
          + "'uid':'u','controller':true}]";
  static final String HASH = "'pod-template-hash':'5d8f7c9b6'";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          annotation beats everything | from-annotation | ANNOTATION,LABEL,OWNER,NAME,GENERATE
          label beats owner and name  | from-label      | LABEL,OWNER,NAME,GENERATE
          owner beats pod name        | from-owner      | OWNER,NAME,GENERATE
          pod name beats generateName | from-name       | NAME,GENERATE
          generateName without dash   | from-generate   | GENERATE
          container name last         | app             | NONE
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
    if (!labels.isEmpty()) {
      meta.add("'labels':{" + String.join(",", labels) + "}");
    }
    if (p.contains("ANNOTATION")) {
      meta.add("'annotations':{" + ANNOTATION + "}");
    }
    ObjectNode pod =
        json(
            "{'metadata':{"
                + String.join(",", meta)
                + "},'spec':{'containers':[{'name':'app','image':'r/app:1'}]}}");

    assertThat(value(mutate(pod).after(), "app", "OTEL_SERVICE_NAME")).as(why).isEqualTo(expected);
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
    ObjectNode pod =
        json(
            "{'metadata':{'name':'p'"
                + labels
                + "},'spec':{'containers':[{'name':'app','image':'"
                + image
                + "'}]}}");

    Map<String, String> attributes =
        attributes(value(mutate(pod).after(), "app", "OTEL_RESOURCE_ATTRIBUTES"));
    if (expected == null) {
      assertThat(attributes).doesNotContainKey("service.version");
    } else {
      assertThat(attributes).containsEntry("service.version", expected);
    }
    assertThat(String.valueOf(attributes.get("service.version"))).doesNotContain("sha256");
  }

  // --- downward API helpers and $(VAR) ordering ---

  @Test
  void podAndNodeNamesComeFromDownwardApiHelpersDefinedBeforeTheirUse() {
    Mutation m = mutate(pod(MULTI));

    for (String name : List.of("app", "worker")) {
      Map<String, JsonNode> env = env(m.after(), name);
      assertThat(env.get("TRACEROLL_POD_NAME").path("valueFrom"))
          .isEqualTo(json("{'fieldRef':{'fieldPath':'metadata.name'}}"));
      assertThat(env.get("TRACEROLL_NODE_NAME").path("valueFrom"))
          .isEqualTo(json("{'fieldRef':{'fieldPath':'spec.nodeName'}}"));
      assertThat(attributes(value(m.after(), name, "OTEL_RESOURCE_ATTRIBUTES")))
          .containsEntry("k8s.pod.name", "$(TRACEROLL_POD_NAME)")
          .containsEntry("k8s.node.name", "$(TRACEROLL_NODE_NAME)");
      assertEveryReferenceIsDefinedEarlier(m.after(), name);
    }
  }

  @Test
  void helpersComeFirstEvenWhenTheUserAlreadyDefinedTheNodeName() {
    ObjectNode pod =
        json(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'OTEL_RESOURCE_ATTRIBUTES','value':'team=payments'},"
                + "{'name':'TRACEROLL_NODE_NAME','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}}"
                + "]}]}}");
    Mutation m = mutate(pod);

    // Actual: [TRACEROLL_POD_NAME, OTEL_RESOURCE_ATTRIBUTES (k8s.node.name=$(TRACEROLL_NODE_NAME)
    // ...), TRACEROLL_NODE_NAME, ...]: the kubelet leaves the reference unexpanded.
    assertThat(envNames(m.after(), "app").subList(0, 2))
        .containsExactly("TRACEROLL_POD_NAME", "TRACEROLL_NODE_NAME");
    assertEveryReferenceIsDefinedEarlier(m.after(), "app");
  }

  static void assertEveryReferenceIsDefinedEarlier(JsonNode pod, String container) {
    List<String> names = envNames(pod, container);
    for (int i = 0; i < names.size(); i++) {
      for (String ref : references(value(pod, container, names.get(i)))) {
        assertThat(names.indexOf(ref))
            .as(
                "%s of %s refers to %s, which must be defined before it",
                names.get(i), container, ref)
            .isBetween(0, i - 1);
      }
    }
  }

  // --- init containers ---

  @Test
  void theAnnotationCanNameAnInitContainer() {
    Mutation m = mutate(pod("init-container-target-pod.json"));

    List<String> inits = new ArrayList<>();
    m.after().at("/spec/initContainers").forEach(c -> inits.add(c.path("name").asText()));
    assertThat(inits).containsExactly("traceroll-agent-init", "wait-for-db", "db-migrate");
    assertThat(value(m.after(), "db-migrate", "JAVA_TOOL_OPTIONS")).isEqualTo(AGENT);
    assertThat(value(m.after(), "db-migrate", "OTEL_SERVICE_NAME")).isEqualTo("ledger-7c9d4");
    assertThat(bytes(container(m.after(), "wait-for-db")))
        .isEqualTo(bytes(container(m.before(), "wait-for-db")));
    assertThat(bytes(container(m.after(), "ledger")))
        .as("the annotation limits injection to the containers it names")
        .isEqualTo(bytes(container(m.before(), "ledger")));
  }

  @Test
  void theAgentInitContainerComesFirstAndMeetsTheRestrictedStandard() {
    Mutation m = mutate(pod(MULTI));

    Container init = asPod(m.after()).getSpec().getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("traceroll-agent-init");
    assertThat(init.getImage()).isEqualTo(AGENT_IMAGE);
    assertThat(init.getCommand())
        .containsExactly("cp", "/javaagent.jar", "/traceroll/agent/javaagent.jar");
    assertThat(init.getVolumeMounts())
        .singleElement()
        .satisfies(
            mount -> {
              assertThat(mount.getName()).isEqualTo("traceroll-agent");
              assertThat(mount.getMountPath()).isEqualTo("/traceroll/agent");
            });
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

  // --- clashes ---

  @Test
  void aUserVolumeNamedLikeOursIsLeftAloneAndOursTakesASuffix() {
    Mutation m = mutate(pod("volume-and-mount-clash-pod.json"));

    JsonNode volumes = m.after().at("/spec/volumes");
    assertThat(volumes.get(0)).isEqualTo(m.before().at("/spec/volumes/0"));
    assertThat(volumes.get(1)).isEqualTo(m.before().at("/spec/volumes/1"));
    assertThat(volumes).hasSize(3);
    assertThat(volumes.get(2)).isEqualTo(json("{'name':'traceroll-agent-2','emptyDir':{}}"));
    JsonNode init = m.after().at("/spec/initContainers/0");
    assertThat(init.at("/volumeMounts/0/name").asText()).isEqualTo("traceroll-agent-2");
    // The user's own mount of their volume is untouched.
    assertThat(container(m.after(), "app").at("/volumeMounts/0"))
        .isEqualTo(json("{'name':'traceroll-agent','mountPath':'/etc/traceroll'}"));
  }

  @Test
  void aTakenMountPathMovesTheAgentToAFreeOne() {
    Mutation m = mutate(pod("volume-and-mount-clash-pod.json"));

    assertThat(container(m.after(), "app").at("/volumeMounts/2"))
        .isEqualTo(
            json("{'name':'traceroll-agent-2','mountPath':'/traceroll/agent-2','readOnly':true}"));
    assertThat(value(m.after(), "app", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-javaagent:/traceroll/agent-2/javaagent.jar");
    assertThat(container(m.after(), "batch").at("/volumeMounts/2"))
        .isEqualTo(
            json("{'name':'traceroll-agent-2','mountPath':'/traceroll/agent-3','readOnly':true}"));
    assertThat(value(m.after(), "batch", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-javaagent:/traceroll/agent-3/javaagent.jar");
    for (String name : List.of("app", "batch")) {
      List<String> paths = new ArrayList<>();
      container(m.after(), name)
          .path("volumeMounts")
          .forEach(v -> paths.add(v.path("mountPath").asText()));
      assertThat(paths).as(name).doesNotHaveDuplicates();
    }
  }

  // --- skipped pods ---

  @ParameterizedTest
  @ValueSource(strings = {"false", "False", "FALSE"})
  void theOptOutAnnotationYieldsAnEmptyPatchWithAReason(String optOut) {
    ObjectNode pod = pod("opted-out-pod.json");
    ((ObjectNode) pod.at("/metadata/annotations")).put("traceroll.io/inject", optOut);

    Mutations.Result result = Mutations.mutate(pod, "shop", settings());

    assertThat(result.patch()).isEmpty();
    assertThat(result.changed()).isFalse();
    assertThat(result.skipReason()).contains("traceroll.io/inject=false");
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void aPodWithoutContainersIsSkipped() {
    Mutations.Result noList = Mutations.mutate(pod("no-containers-pod.json"), "shop", settings());
    assertThat(noList.patch()).isEmpty();
    assertThat(noList.skipReason()).isNotBlank();

    ObjectNode empty = pod("no-containers-pod.json");
    ((ObjectNode) empty.get("spec")).putArray("containers");
    Mutations.Result emptyList = Mutations.mutate(empty, "shop", settings());
    assertThat(emptyList.patch()).isEmpty();
    assertThat(emptyList.skipReason()).isNotBlank();

    Mutations.Result noSpec =
        Mutations.mutate(json("{'metadata':{'name':'x'}}"), "shop", settings());
    assertThat(noSpec.patch()).isEmpty();
  }

  // --- re-invocation ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        MULTI,
        "user-otel-settings-pod.json",
        "init-container-target-pod.json",
        "volume-and-mount-clash-pod.json"
      })
  void mutatingTheResultAgainChangesNothing(String fixture) {
    for (InjectionSettings settings : List.of(settings(), imageVolumeSettings())) {
      Mutation first = mutate(pod(fixture), settings);
      assertThat(first.result().changed()).isTrue();

      Mutations.Result again = Mutations.mutate(first.after(), "shop", settings);

      assertThat(again.patch()).as(fixture + " in " + settings.mode()).isEmpty();
      assertThat(again.warnings()).isEmpty();
    }
  }

  @Test
  void mutatingAgainAfterTheApiServerDefaultedOurAdditionsChangesNothing() {
    JsonNode once = mutate(pod(MULTI)).after();
    ObjectNode defaulted = (ObjectNode) once.deepCopy();
    // What the API server adds when it decodes and defaults the patched pod.
    ObjectNode init = (ObjectNode) defaulted.at("/spec/initContainers/0");
    init.put("terminationMessagePath", "/dev/termination-log");
    init.put("terminationMessagePolicy", "File");
    for (String name : List.of("app", "worker")) {
      ObjectNode c = (ObjectNode) container(defaulted, name);
      c.path("env")
          .forEach(
              e -> {
                if (e.at("/valueFrom/fieldRef").isObject()) {
                  ((ObjectNode) e.at("/valueFrom/fieldRef")).put("apiVersion", "v1");
                }
              });
    }

    assertThat(Mutations.mutate(defaulted, "shop", settings()).patch()).isEmpty();
  }

  // --- image volume mode ---

  @Test
  void imageVolumeModeMountsTheAgentImageAndAddsNoInitContainer() {
    Mutation m = mutate(pod(MULTI), imageVolumeSettings());

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
    assertThat(container(m.after(), "worker").path("volumeMounts").toString())
        .contains(
            "{\"name\":\"traceroll-agent\",\"mountPath\":\"/traceroll/agent\",\"readOnly\":true}");
  }

  @Test
  void imageVolumeModeLeavesExistingInitContainersAsTheyWere() {
    Mutation m = mutate(pod("init-container-target-pod.json"), imageVolumeSettings());

    List<String> inits = new ArrayList<>();
    m.after().at("/spec/initContainers").forEach(c -> inits.add(c.path("name").asText()));
    assertThat(inits).containsExactly("wait-for-db", "db-migrate");
    assertThat(value(m.after(), "db-migrate", "JAVA_TOOL_OPTIONS")).isEqualTo(AGENT);
  }

  // --- bookkeeping ---

  @Test
  void recordsThePolicyGenerationAndAgentVersionOnThePod() {
    InjectionSettings settings = settings();
    Mutation m = mutate(pod(MULTI), settings);

    JsonNode annotations = m.after().at("/metadata/annotations");
    assertThat(annotations.path("traceroll.io/injected").asText()).isEqualTo("obs.tracing@7");
    assertThat(annotations.path("traceroll.io/agent-version").asText()).isEqualTo("2.33.1");
    assertThat(annotations.path("traceroll.io/injection-hash").asText())
        .isEqualTo(settings.injectionHash());
    assertThat(annotations.path("kubectl.kubernetes.io/default-container").asText())
        .isEqualTo("app");
  }

  @Test
  void annotationsAreCreatedOnAPodThatHadNone() {
    Mutation m = mutate(pod("volume-and-mount-clash-pod.json"));

    assertThat(m.after().at("/metadata/annotations/traceroll.io~1injected").asText())
        .isEqualTo("obs.tracing@7");
    assertThat(m.after().at("/metadata/name").asText()).isEqualTo("clash");
  }

  @Test
  void aTempoBackendSendsTracesToThePolicysTempoService() {
    InjectionSettings tempo =
        InjectionSettings.of(
            AdmissionFixtures.tempoPolicy("observability", "traces", "2026-01-01T00:00:00Z"));
    Mutation m = mutate(pod(MULTI), tempo);

    assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://traces-tempo.observability.svc:4317");
    assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
    assertThat(m.after().at("/metadata/annotations/traceroll.io~1injected").asText())
        .isEqualTo("observability.traces@7");
  }
}
