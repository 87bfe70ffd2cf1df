package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.AGENT;
import static io.traceroll.webhook.TestPods.MULTI;
import static io.traceroll.webhook.TestPods.attributes;
import static io.traceroll.webhook.TestPods.env;
import static io.traceroll.webhook.TestPods.envNames;
import static io.traceroll.webhook.TestPods.json;
import static io.traceroll.webhook.TestPods.references;
import static io.traceroll.webhook.TestPods.row;
import static io.traceroll.webhook.TestPods.settings;
import static io.traceroll.webhook.TestPods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.TestPolicies;
import io.traceroll.webhook.TestPods.Row;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mutator suite, env composition: the agent on JAVA_TOOL_OPTIONS, the user's own OTEL_*
 * settings, where agents export, OTEL_RESOURCE_ATTRIBUTES merged with the user's, and the
 * downward-API helpers every $(VAR) needs defined before it. Each row's patch is applied to the
 * original with zjsonpatch, as the API server does, and the assertions read the resulting pod.
 */
class PodMutatorEnvTest {
  static final String JTO_FROM_CONFIG_MAP =
      "{'name':'JAVA_TOOL_OPTIONS','valueFrom':{'configMapKeyRef':{'name':'jvm','key':'opts'}}}";

  /** A pod of one container "app" with these env entries (JSON, single quotes). */
  static String appWithEnv(String... entries) {
    return "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
        + String.join(",", entries)
        + "]}]}}";
  }

  static Stream<Row> rows() {
    InjectionSettings headers =
        settings(
            p -> p.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key"));
    return Stream.of(
        // --- JAVA_TOOL_OPTIONS ---
        row(
            "without JAVA_TOOL_OPTIONS of its own the agent goes to _JAVA_OPTIONS, so the image's"
                + " or an envFrom's JAVA_TOOL_OPTIONS still applies",
            appWithEnv("{'name':'PORT','value':'8080'}"),
            m -> {
              assertThat(envNames(m.after(), "app")).doesNotContain("JAVA_TOOL_OPTIONS");
              assertThat(value(m.after(), "app", "_JAVA_OPTIONS")).isEqualTo(AGENT);
            }),
        row(
            "a _JAVA_OPTIONS of its own is composed with the agent",
            appWithEnv("{'name':'_JAVA_OPTIONS','value':'-Djava.net.preferIPv4Stack=true'}"),
            m ->
                assertThat(value(m.after(), "app", "_JAVA_OPTIONS"))
                    .isEqualTo("-Djava.net.preferIPv4Stack=true " + AGENT)),
        row(
            "the agent is appended to a literal JAVA_TOOL_OPTIONS",
            MULTI,
            m -> {
              assertThat(value(m.after(), "app", "JAVA_TOOL_OPTIONS"))
                  .isEqualTo("-Xmx512m -XX:+UseG1GC " + AGENT);
              assertThat(envNames(m.after(), "app")).containsOnlyOnce("JAVA_TOOL_OPTIONS");
            }),
        row(
            "an agent already in JAVA_TOOL_OPTIONS is not added again",
            appWithEnv("{'name':'JAVA_TOOL_OPTIONS','value':'-Dx=1 " + AGENT + "'}"),
            m ->
                assertThat(value(m.after(), "app", "JAVA_TOOL_OPTIONS"))
                    .isEqualTo("-Dx=1 " + AGENT)),
        row(
            "a JAVA_TOOL_OPTIONS from valueFrom is moved aside and composed with the agent",
            MULTI,
            PodMutatorEnvTest::composesJavaToolOptionsFromValueFrom),
        row(
            "user variables that refer to a valueFrom JAVA_TOOL_OPTIONS still resolve",
            appWithEnv(
                JTO_FROM_CONFIG_MAP,
                "{'name':'JDK_JAVA_OPTIONS','value':'$(JAVA_TOOL_OPTIONS) -Dlauncher=1'}"),
            // Before: JDK_JAVA_OPTIONS expands $(JAVA_TOOL_OPTIONS), defined earlier in the list.
            // After: JAVA_TOOL_OPTIONS must still be defined before it, or the kubelet leaves the
            // reference unexpanded and the launcher gets a literal "$(JAVA_TOOL_OPTIONS)".
            m -> {
              List<String> names = envNames(m.after(), "app");
              assertThat(names.indexOf("JAVA_TOOL_OPTIONS"))
                  .isGreaterThanOrEqualTo(0)
                  .isLessThan(names.indexOf("JDK_JAVA_OPTIONS"));
            }),
        // --- the user's OTEL_* settings and where agents export ---
        row(
            "the OTEL settings the user chose are kept and the rest filled in",
            "user-otel-settings-pod.json",
            PodMutatorEnvTest::keepsTheUsersOtelSettings),
        row(
            "a user-chosen endpoint gets neither the policy's protocol nor its credentials",
            appWithEnv(
                "{'name':'OTEL_EXPORTER_OTLP_ENDPOINT','value':'http://otel-agent.monitoring.svc:4318'}"),
            headers,
            // The user's endpoint speaks the agent's default protocol (http/protobuf on 4318);
            // forcing the policy's grpc onto it breaks the export, and the vendor's API key must
            // not be sent to an endpoint the policy does not name.
            m ->
                assertThat(env(m.after(), "app"))
                    .doesNotContainKeys(
                        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS")),
        row(
            "the policy's resource attributes and headers secret are injected",
            TestPods.DEPLOYMENT,
            settings(
                TestPolicies.policy("obs", "default"),
                p -> {
                  p.getSpec()
                      .getJava()
                      .getResourceAttributes()
                      .put("deployment.environment", "prod,eu");
                  p.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
                }),
            m -> {
              assertThat(value(m.after(), "app", "OTEL_RESOURCE_ATTRIBUTES"))
                  .contains("deployment.environment=prod%2Ceu");
              JsonNode secret = env(m.after(), "app").get("OTEL_EXPORTER_OTLP_HEADERS");
              assertThat(secret.at("/valueFrom/secretKeyRef/name").asText())
                  .isEqualTo("vendor-key");
              assertThat(secret.at("/valueFrom/secretKeyRef/optional").asBoolean()).isTrue();
            }),
        row(
            "with tail sampling agents export to the gateway without the backend's headers",
            TestPods.DEPLOYMENT,
            tailSampling(true),
            m -> {
              assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_ENDPOINT"))
                  .isEqualTo("http://default-gateway.obs.svc:4317");
              assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
              assertThat(env(m.after(), "app")).doesNotContainKey("OTEL_EXPORTER_OTLP_HEADERS");
              // A new target is a new injection: running workloads are restarted onto the gateway.
              assertThat(tailSampling(true).injectionHash())
                  .isNotEqualTo(tailSampling(false).injectionHash());
            }),
        row(
            "a Tempo backend sends traces to the policy's Tempo Service",
            MULTI,
            InjectionSettings.of(
                TestPolicies.tempoPolicy("observability", "traces", TestPolicies.CREATED)),
            m -> {
              assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_ENDPOINT"))
                  .isEqualTo("http://traces-tempo.observability.svc:4317");
              assertThat(value(m.after(), "app", "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
              assertThat(m.after().at("/metadata/annotations/traceroll.io~1injected").asText())
                  .isEqualTo("observability.traces@7");
            }),
        // --- OTEL_RESOURCE_ATTRIBUTES and the downward-API helpers ---
        row(
            "a literal OTEL_RESOURCE_ATTRIBUTES is merged, the user's keys and values winning",
            MULTI,
            PodMutatorEnvTest::mergesTheUsersResourceAttributes),
        row(
            "pod and node names come from downward-API helpers defined before their use",
            MULTI,
            m -> List.of("app", "worker").forEach(c -> downwardApiHelpersLead(m.after(), c))),
        row(
            "the helpers come first even when the user already defined the node name",
            appWithEnv(
                "{'name':'OTEL_RESOURCE_ATTRIBUTES','value':'team=payments'}",
                "{'name':'TRACEROLL_NODE_NAME','valueFrom':{'fieldRef':{'fieldPath':'spec.nodeName'}}}"),
            // Was: [TRACEROLL_POD_NAME, OTEL_RESOURCE_ATTRIBUTES (k8s.node.name=
            // $(TRACEROLL_NODE_NAME) ...), TRACEROLL_NODE_NAME, ...]: the kubelet leaves the
            // reference unexpanded.
            m -> {
              assertThat(envNames(m.after(), "app").subList(0, 2))
                  .containsExactly("TRACEROLL_POD_NAME", "TRACEROLL_NODE_NAME");
              assertEveryReferenceIsDefinedEarlier(m.after(), "app");
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void composesTheEnv(Row row) {
    row.check();
  }

  /** obs/default with a headers secret, exporting through the tail-sampling gateway or not. */
  static InjectionSettings tailSampling(boolean gateway) {
    return settings(
        TestPolicies.policy("obs", "default"),
        p -> {
          p.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
          if (gateway) {
            p.getSpec().getSampling().setTail(new TailSampling());
          }
        });
  }

  static void composesJavaToolOptionsFromValueFrom(TestPods.Mutation m) {
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

  static void keepsTheUsersOtelSettings(TestPods.Mutation m) {
    assertThat(value(m.after(), "billing", "OTEL_SERVICE_NAME")).isEqualTo("legacy-billing");
    assertThat(value(m.after(), "billing", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://otel-agent.monitoring.svc:4317");
    assertThat(value(m.after(), "billing", "OTEL_TRACES_SAMPLER")).isEqualTo("always_on");
    assertThat(env(m.after(), "billing")).doesNotContainKey("OTEL_TRACES_SAMPLER_ARG");
    assertThat(envNames(m.after(), "billing"))
        .containsOnlyOnce(
            "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER");
    // What the user did not set is still filled in.
    assertThat(value(m.after(), "billing", "_JAVA_OPTIONS")).isEqualTo(AGENT);
    assertThat(value(m.after(), "billing", "OTEL_PROPAGATORS")).isEqualTo("tracecontext,baggage");
  }

  static void mergesTheUsersResourceAttributes(TestPods.Mutation m) {
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
    // Ours first, the user's last, as the user wrote them.
    assertThat(raw).endsWith(",team=payments,k8s.container.name=checkout-main");
    assertThat(envNames(m.after(), "app")).containsOnlyOnce("OTEL_RESOURCE_ATTRIBUTES");
  }

  static void downwardApiHelpersLead(JsonNode pod, String container) {
    Map<String, JsonNode> env = env(pod, container);
    assertThat(env.get("TRACEROLL_POD_NAME").path("valueFrom"))
        .isEqualTo(json("{'fieldRef':{'fieldPath':'metadata.name'}}"));
    assertThat(env.get("TRACEROLL_NODE_NAME").path("valueFrom"))
        .isEqualTo(json("{'fieldRef':{'fieldPath':'spec.nodeName'}}"));
    assertThat(attributes(value(pod, container, "OTEL_RESOURCE_ATTRIBUTES")))
        .containsEntry("k8s.pod.name", "$(TRACEROLL_POD_NAME)")
        .containsEntry("k8s.node.name", "$(TRACEROLL_NODE_NAME)");
    assertEveryReferenceIsDefinedEarlier(pod, container);
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
}
