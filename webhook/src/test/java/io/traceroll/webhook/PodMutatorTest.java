package io.traceroll.webhook;

import static io.traceroll.webhook.Pods.apply;
import static io.traceroll.webhook.Pods.env;
import static io.traceroll.webhook.Pods.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.InjectionSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodMutatorTest {
  static final String AGENT = "-javaagent:/traceroll/agent/javaagent.jar";

  JsonNode mutated(JsonNode pod) {
    return mutated(pod, Pods.settings());
  }

  JsonNode mutated(JsonNode pod, InjectionSettings settings) {
    Mutations.Result result = Mutations.mutate(pod, "shop", settings);
    JsonNode out = apply(pod, result);
    Pods.asPod(out); // the result is still a valid Pod
    return out;
  }

  @Test
  void injectsAgentIntoTheAppContainerOfADeploymentPod() {
    ObjectNode pod = Pods.fixture("deployment-pod.json");
    JsonNode out = mutated(pod);

    Pod result = Pods.asPod(out);
    Container init = result.getSpec().getInitContainers().get(0);
    assertThat(init.getName()).isEqualTo("traceroll-agent-init");
    assertThat(init.getCommand())
        .containsExactly("cp", "/javaagent.jar", "/traceroll/agent/javaagent.jar");
    assertThat(result.getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("traceroll-agent");
              assertThat(v.getEmptyDir()).isNotNull();
            });
    Container app = result.getSpec().getContainers().get(0);
    assertThat(app.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getName()).isEqualTo("traceroll-agent");
              assertThat(m.getMountPath()).isEqualTo("/traceroll/agent");
              assertThat(m.getReadOnly()).isTrue();
            });
    assertThat(value(out, "app", "JAVA_TOOL_OPTIONS")).isEqualTo("-Xmx256m " + AGENT);
    assertThat(value(out, "app", "OTEL_SERVICE_NAME")).isEqualTo("checkout");
    assertThat(value(out, "app", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://collector.obs.svc:4317");
    assertThat(value(out, "app", "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
    assertThat(value(out, "app", "OTEL_TRACES_SAMPLER")).isEqualTo("parentbased_jaeger_remote");
    assertThat(value(out, "app", "OTEL_TRACES_SAMPLER_ARG"))
        .isEqualTo(
            "endpoint=http://default-sampling.obs.svc:14250,pollingIntervalMs=30000,"
                + "initialSamplingRate=0.25");
    assertThat(value(out, "app", "OTEL_PROPAGATORS")).isEqualTo("tracecontext,baggage");
    assertThat(value(out, "app", "OTEL_RESOURCE_ATTRIBUTES"))
        .isEqualTo(
            "k8s.namespace.name=shop,k8s.pod.name=$(TRACEROLL_POD_NAME),"
                + "k8s.node.name=$(TRACEROLL_NODE_NAME),k8s.container.name=app,"
                + "k8s.deployment.name=checkout,service.version=1.4.2,"
                + "service.instance.id=shop.$(TRACEROLL_POD_NAME).app");
    assertThat(out.at("/metadata/annotations/traceroll.io~1injected").asText())
        .isEqualTo("obs.default@3");
    assertThat(out.at("/metadata/annotations/traceroll.io~1agent-version").asText())
        .isEqualTo("2.33.1");
  }

  @Test
  void leavesSidecarsAndUnknownFieldsByteIdentical() {
    ObjectNode pod = Pods.fixture("deployment-pod.json");
    JsonNode out = mutated(pod);

    assertThat(out.at("/spec/containers/1")).isEqualTo(pod.at("/spec/containers/1"));
    assertThat(out.at("/spec/someNewPodField").asText()).isEqualTo("survives");
    assertThat(out.at("/metadata/futureField")).isEqualTo(pod.at("/metadata/futureField"));
    assertThat(out.at("/spec/volumes/0")).isEqualTo(pod.at("/spec/volumes/0"));
  }

  @Test
  void aSecondPassChangesNothing() {
    ObjectNode pod = Pods.fixture("deployment-pod.json");
    JsonNode once = mutated(pod);

    Mutations.Result again = Mutations.mutate(once, "shop", Pods.settings());

    assertThat(again.patch()).isEmpty();
  }

  @Test
  void helperVariablesComeBeforeEveryReferenceToThem() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1',"
                + "'env':[{'name':'OTEL_RESOURCE_ATTRIBUTES','value':'team=payments'}]}]}}");
    JsonNode out = mutated(pod);

    List<String> names = new ArrayList<>();
    out.at("/spec/containers/0/env").forEach(e -> names.add(e.path("name").asText()));
    assertThat(names.indexOf("TRACEROLL_POD_NAME"))
        .isLessThan(names.indexOf("OTEL_RESOURCE_ATTRIBUTES"));
    assertThat(names.indexOf("TRACEROLL_NODE_NAME"))
        .isLessThan(names.indexOf("OTEL_RESOURCE_ATTRIBUTES"));
    assertThat(
            env(out, "app").get("TRACEROLL_POD_NAME").at("/valueFrom/fieldRef/fieldPath").asText())
        .isEqualTo("metadata.name");
    assertThat(
            env(out, "app").get("TRACEROLL_NODE_NAME").at("/valueFrom/fieldRef/fieldPath").asText())
        .isEqualTo("spec.nodeName");
  }

  @Test
  void mergesResourceAttributesKeepingTheUsersKeys() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1',"
                + "'env':[{'name':'OTEL_RESOURCE_ATTRIBUTES','value':'service.version=9,team=payments'}]}]}}");
    String attributes = value(mutated(pod), "app", "OTEL_RESOURCE_ATTRIBUTES");

    assertThat(attributes).endsWith("service.version=9,team=payments");
    assertThat(attributes).doesNotContain("service.version=1");
    assertThat(attributes).contains("k8s.container.name=app");
  }

  @Test
  void keepsEveryOtelVariableTheUserSet() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'OTEL_SERVICE_NAME','value':'mine'},"
                + "{'name':'OTEL_EXPORTER_OTLP_ENDPOINT','value':'http://mine:4317'},"
                + "{'name':'OTEL_TRACES_SAMPLER','value':'always_on'}]}]}}");
    JsonNode out = mutated(pod);

    assertThat(value(out, "app", "OTEL_SERVICE_NAME")).isEqualTo("mine");
    assertThat(value(out, "app", "OTEL_EXPORTER_OTLP_ENDPOINT")).isEqualTo("http://mine:4317");
    assertThat(value(out, "app", "OTEL_TRACES_SAMPLER")).isEqualTo("always_on");
    assertThat(env(out, "app")).doesNotContainKey("OTEL_TRACES_SAMPLER_ARG");
    assertThat(value(out, "app", "JAVA_TOOL_OPTIONS")).isEqualTo(AGENT);
  }

  @Test
  void composesJavaToolOptionsFromValueFromInsteadOfSkipping() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'JAVA_TOOL_OPTIONS','valueFrom':{'configMapKeyRef':{'name':'jvm','key':'opts'}}}]}]}}");
    Mutations.Result result = Mutations.mutate(pod, "shop", Pods.settings());
    JsonNode out = apply(pod, result);

    JsonNode moved = env(out, "app").get("TRACEROLL_USER_JAVA_TOOL_OPTIONS");
    assertThat(moved.at("/valueFrom/configMapKeyRef/name").asText()).isEqualTo("jvm");
    assertThat(value(out, "app", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("$(TRACEROLL_USER_JAVA_TOOL_OPTIONS) " + AGENT);
    List<String> names = new ArrayList<>();
    out.at("/spec/containers/0/env").forEach(e -> names.add(e.path("name").asText()));
    assertThat(names.indexOf("TRACEROLL_USER_JAVA_TOOL_OPTIONS"))
        .isLessThan(names.indexOf("JAVA_TOOL_OPTIONS"));
    assertThat(result.warnings()).singleElement().asString().contains("valueFrom");
  }

  @Test
  void appendsTheAgentOnlyOnceToAnExistingLiteral() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'containers':[{'name':'app','image':'a:1','env':["
                + "{'name':'JAVA_TOOL_OPTIONS','value':'-Dx=1 "
                + AGENT
                + "'}]}]}}");
    assertThat(value(mutated(pod), "app", "JAVA_TOOL_OPTIONS")).isEqualTo("-Dx=1 " + AGENT);
  }

  @Test
  void optOutAnnotationYieldsNoPatch() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p','annotations':{'traceroll.io/inject':'false'}},"
                + "'spec':{'containers':[{'name':'app','image':'a:1'}]}}");
    Mutations.Result result = Mutations.mutate(pod, "shop", Pods.settings());
    assertThat(result.patch()).isEmpty();
    assertThat(result.skipReason()).contains("opted out");
  }

  @Test
  void podsWithoutContainersOrOnlySidecarsAreLeftAlone() {
    assertThat(Mutations.mutate(Pods.parse("{'metadata':{}}"), "shop", Pods.settings()).patch())
        .isEmpty();
    assertThat(
            Mutations.mutate(
                    Pods.parse(
                        "{'metadata':{},'spec':{'containers':[{'name':'linkerd-proxy','image':'x'}]}}"),
                    "shop",
                    Pods.settings())
                .skipReason())
        .contains("no container");
  }

  @Test
  void annotationCanTargetAnInitContainerWhichRunsAfterTheAgentCopy() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p','annotations':{'traceroll.io/container-names':'migrate'}},"
                + "'spec':{'initContainers':[{'name':'migrate','image':'flyway:10'}],"
                + "'containers':[{'name':'app','image':'a:1'}]}}");
    JsonNode out = mutated(pod);

    assertThat(out.at("/spec/initContainers/0/name").asText()).isEqualTo("traceroll-agent-init");
    assertThat(out.at("/spec/initContainers/1/name").asText()).isEqualTo("migrate");
    assertThat(out.at("/spec/initContainers/1/env").toString()).contains(AGENT);
    assertThat(out.at("/spec/containers/0")).isEqualTo(pod.at("/spec/containers/0"));
  }

  @Test
  void initContainerMeetsTheRestrictedPodSecurityStandard() {
    JsonNode sc =
        mutated(Pods.fixture("deployment-pod.json")).at("/spec/initContainers/0/securityContext");
    assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.path("runAsUser").asLong()).isPositive();
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
  }

  @Test
  void survivesNameClashesWithUserVolumesAndMounts() {
    ObjectNode pod =
        Pods.parse(
            "{'metadata':{'name':'p'},'spec':{'volumes':[{'name':'traceroll-agent','secret':{'secretName':'s'}}],"
                + "'containers':[{'name':'app','image':'a:1','volumeMounts':"
                + "[{'name':'traceroll-agent','mountPath':'/traceroll/agent'}]}]}}");
    JsonNode out = mutated(pod);

    assertThat(out.at("/spec/volumes/0")).isEqualTo(pod.at("/spec/volumes/0"));
    assertThat(out.at("/spec/volumes/1/name").asText()).isEqualTo("traceroll-agent-2");
    assertThat(out.at("/spec/containers/0/volumeMounts/1/mountPath").asText())
        .isEqualTo("/traceroll/agent-2");
    assertThat(value(out, "app", "JAVA_TOOL_OPTIONS"))
        .isEqualTo("-javaagent:/traceroll/agent-2/javaagent.jar");
    assertThat(Mutations.mutate(out, "shop", Pods.settings()).patch()).isEmpty();
  }

  @Test
  void imageVolumeModeMountsTheAgentImageWithoutAnInitContainer() {
    TracingPolicy policy = Pods.policy("obs", "default");
    policy.getSpec().getJava().setMode(InjectionMode.IMAGE_VOLUME);
    JsonNode out = mutated(Pods.fixture("deployment-pod.json"), InjectionSettings.of(policy));

    assertThat(out.at("/spec/initContainers").isMissingNode()).isTrue();
    assertThat(out.at("/spec/volumes/1/image/reference").asText())
        .isEqualTo("ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.33.1");
  }

  @Test
  void serviceNameFollowsAnnotationThenLabelThenOwnerThenPod() {
    String containers = "'spec':{'containers':[{'name':'app','image':'a:1'}]}";
    assertThat(
            serviceName(
                "{'metadata':{'annotations':{'resource.opentelemetry.io/service.name':'s1'},"
                    + "'labels':{'app.kubernetes.io/name':'s2'}},"
                    + containers
                    + "}"))
        .isEqualTo("s1");
    assertThat(
            serviceName(
                "{'metadata':{'labels':{'app.kubernetes.io/name':'s2'}}," + containers + "}"))
        .isEqualTo("s2");
    assertThat(
            serviceName(
                "{'metadata':{'ownerReferences':[{'kind':'StatefulSet','name':'db','controller':true}]},"
                    + containers
                    + "}"))
        .isEqualTo("db");
    assertThat(serviceName("{'metadata':{'name':'solo'}," + containers + "}")).isEqualTo("solo");
    assertThat(serviceName("{'metadata':{'generateName':'job-x-'}," + containers + "}"))
        .isEqualTo("job-x");
    assertThat(serviceName("{'metadata':{}," + containers + "}")).isEqualTo("app");
  }

  @Test
  void versionComesFromTheLabelElseTheImageTagNeverADigest() {
    assertThat(
            attributes(
                "{'metadata':{'labels':{'app.kubernetes.io/version':'7'}},"
                    + "'spec':{'containers':[{'name':'app','image':'r/a:1'}]}}"))
        .contains("service.version=7");
    assertThat(
            attributes(
                "{'metadata':{},'spec':{'containers':[{'name':'app','image':'reg:5000/a:2.1@sha256:ab'}]}}"))
        .contains("service.version=2.1");
    assertThat(
            attributes(
                "{'metadata':{},'spec':{'containers':[{'name':'app','image':'reg:5000/a@sha256:ab'}]}}"))
        .doesNotContain("service.version");
  }

  @Test
  void policyAttributesAndHeadersSecretAreInjected() {
    TracingPolicy policy = Pods.policy("obs", "default");
    policy.getSpec().getJava().getResourceAttributes().put("deployment.environment", "prod,eu");
    policy.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
    JsonNode out = mutated(Pods.fixture("deployment-pod.json"), InjectionSettings.of(policy));

    assertThat(value(out, "app", "OTEL_RESOURCE_ATTRIBUTES"))
        .contains("deployment.environment=prod%2Ceu");
    JsonNode headers = env(out, "app").get("OTEL_EXPORTER_OTLP_HEADERS");
    assertThat(headers.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("vendor-key");
    assertThat(headers.at("/valueFrom/secretKeyRef/optional").asBoolean()).isTrue();
  }

  @Test
  void withTailSamplingAgentsExportToTheGatewayWithoutTheBackendsHeaders() {
    TracingPolicy policy = Pods.policy("obs", "default");
    policy.getSpec().getBackend().getOtlpEndpoint().setHeadersSecretName("vendor-key");
    InjectionSettings direct = InjectionSettings.of(policy);
    policy.getSpec().getSampling().setTail(new TailSampling());
    InjectionSettings gateway = InjectionSettings.of(policy);

    JsonNode out = mutated(Pods.fixture("deployment-pod.json"), gateway);

    assertThat(value(out, "app", "OTEL_EXPORTER_OTLP_ENDPOINT"))
        .isEqualTo("http://default-gateway.obs.svc:4317");
    assertThat(value(out, "app", "OTEL_EXPORTER_OTLP_PROTOCOL")).isEqualTo("grpc");
    assertThat(env(out, "app")).doesNotContainKey("OTEL_EXPORTER_OTLP_HEADERS");
    // A new target is a new injection: running workloads are restarted onto the gateway.
    assertThat(gateway.injectionHash()).isNotEqualTo(direct.injectionHash());
  }

  private String serviceName(String pod) {
    return value(mutated(Pods.parse(pod)), "app", "OTEL_SERVICE_NAME");
  }

  private String attributes(String pod) {
    return value(mutated(Pods.parse(pod)), "app", "OTEL_RESOURCE_ATTRIBUTES");
  }
}
