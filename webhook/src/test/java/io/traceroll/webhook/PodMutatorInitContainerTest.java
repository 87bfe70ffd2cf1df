package io.traceroll.webhook;

import static io.traceroll.webhook.TestPods.json;
import static io.traceroll.webhook.TestPods.settings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.traceroll.policy.InjectionDecision;
import io.traceroll.policy.InjectionSettings;
import io.traceroll.policy.PodView;
import io.traceroll.policy.TestPolicies;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's init container never makes a pod harder to admit than it was: its resources are a
 * copy of the app container's (so per-container LimitRange bounds hold and the pod's effective
 * requests and limits, hence quota use, do not change) and its security context is the app
 * container's, closed where it is open, with the pod's own user or, on OpenShift, the namespace's.
 */
class PodMutatorInitContainerTest {

  record Case(String name, String pod, OptionalLong namespaceUid, Consumer<JsonNode> expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "mounts: the API token where the ServiceAccount plugin gave the pod's containers one"
                + " (else it adds it after us, and the API server calls the webhook again)",
            "{'volumes':[{'name':'kube-api-access-x7k2p','projected':{'sources':[]}}],"
                + "'containers':[{'name':'app','image':'temurin:21','volumeMounts':[{'name':"
                + "'kube-api-access-x7k2p','readOnly':true,'mountPath':"
                + "'/var/run/secrets/kubernetes.io/serviceaccount'}]}]}",
            OptionalLong.empty(),
            init ->
                assertThat(json("{'m':" + init.path("volumeMounts") + "}"))
                    .isEqualTo(
                        json(
                            "{'m':[{'name':'traceroll-agent','mountPath':'/traceroll/agent'},"
                                + "{'name':'kube-api-access-x7k2p','readOnly':true,'mountPath':"
                                + "'/var/run/secrets/kubernetes.io/serviceaccount'}]}"))),
        new Case(
            "mounts: only the agent's when the pod mounts no API token",
            "{'containers':[{'name':'app','image':'temurin:21'}]}",
            OptionalLong.empty(),
            init ->
                assertThat(json("{'m':" + init.path("volumeMounts") + "}"))
                    .isEqualTo(
                        json("{'m':[{'name':'traceroll-agent','mountPath':'/traceroll/agent'}]}"))),
        new Case(
            "resources: the app container's CPU, memory and ephemeral storage, no extended ones",
            "{'containers':[{'name':'app','image':'temurin:21','resources':{"
                + "'requests':{'cpu':'250m','memory':'512Mi','nvidia.com/gpu':'1'},"
                + "'limits':{'cpu':'1','memory':'1Gi','ephemeral-storage':'1Gi','nvidia.com/gpu':'1'}}}]}",
            OptionalLong.empty(),
            init ->
                assertThat(init.path("resources"))
                    .isEqualTo(
                        json(
                            "{'requests':{'cpu':'250m','memory':'512Mi'},"
                                + "'limits':{'cpu':'1','memory':'1Gi','ephemeral-storage':'1Gi'}}"))),
        new Case(
            "resources: none when the app container has none (LimitRange defaults then apply to"
                + " both alike)",
            "{'containers':[{'name':'app','image':'temurin:21'}]}",
            OptionalLong.empty(),
            init -> assertThat(init.has("resources")).isFalse()),
        new Case(
            "security: the app container's user and settings, closed where open",
            "{'containers':[{'name':'app','image':'temurin:21','securityContext':"
                + "{'runAsUser':1001,'runAsGroup':1001,'capabilities':{'add':['NET_BIND_SERVICE']}}}]}",
            OptionalLong.empty(),
            init -> {
              JsonNode sc = init.path("securityContext");
              assertThat(sc.path("runAsUser").asLong()).isEqualTo(1001);
              assertThat(sc.path("runAsGroup").asLong()).isEqualTo(1001);
              assertThat(sc.at("/capabilities/add/0").asText()).isEqualTo("NET_BIND_SERVICE");
              assertThat(sc.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
              assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
              assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
              assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
            }),
        new Case(
            "security: the pod's user is inherited, never pinned over",
            "{'securityContext':{'runAsUser':2000,'runAsNonRoot':true,"
                + "'seccompProfile':{'type':'Localhost','localhostProfile':'p.json'}},"
                + "'containers':[{'name':'app','image':'temurin:21'}]}",
            OptionalLong.empty(),
            init -> {
              JsonNode sc = init.path("securityContext");
              assertThat(sc.has("runAsUser")).isFalse();
              assertThat(sc.has("runAsNonRoot")).isFalse();
              assertThat(sc.has("seccompProfile")).as("the pod's profile applies").isFalse();
            }),
        new Case(
            "security: on OpenShift the first UID of the namespace's range, which the restricted"
                + " SCC admits",
            "{'containers':[{'name':'app','image':'temurin:21'}]}",
            OptionalLong.of(1000680000L),
            init ->
                assertThat(init.at("/securityContext/runAsUser").asLong()).isEqualTo(1000680000L)),
        new Case(
            "security: elsewhere, with no user given, a non-root one",
            "{'containers':[{'name':'app','image':'temurin:21'}]}",
            OptionalLong.empty(),
            init -> assertThat(init.at("/securityContext/runAsUser").asLong()).isEqualTo(65532L)));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void initContainer(Case c) {
    JsonNode after = mutate(c.pod(), settings(), c.namespaceUid());
    c.expect().accept(after.at("/spec/initContainers/0"));
  }

  @Test
  void thePodsEffectiveRequestsAndLimitsDoNotGrow() {
    String pod =
        "{'containers':["
            + "{'name':'app','image':'temurin:21','resources':{'requests':{'cpu':'100m','memory':'256Mi'},'limits':{'memory':'512Mi'}}},"
            + "{'name':'worker','image':'temurin:21','resources':{'requests':{'cpu':'300m','memory':'64Mi'},'limits':{'memory':'128Mi'}}}]}";
    JsonNode before = TestPods.pod(wrap(pod));
    JsonNode after = mutate(pod, settings(), OptionalLong.empty());
    for (String key : new String[] {"requests/cpu", "requests/memory", "limits/memory"}) {
      assertThat(effective(after, key)).as(key).isEqualTo(effective(before, key));
    }
  }

  @Test
  void thePolicysInitResourcesWin() {
    InjectionSettings own =
        settings(
            p -> {
              var r = new ResourceRequirements();
              r.setRequests(Map.of("cpu", new Quantity("5m")));
              p.getSpec().getJava().setResources(r);
            });
    JsonNode after =
        mutate(
            "{'containers':[{'name':'app','image':'temurin:21','resources':{'requests':{'cpu':'1'}}}]}",
            own,
            OptionalLong.empty());
    assertThat(after.at("/spec/initContainers/0/resources/requests/cpu").asText()).isEqualTo("5m");
  }

  // ----

  /** The pod's effective value (in millis or bytes): max(largest init container, sum of apps). */
  private static long effective(JsonNode pod, String key) {
    long apps = 0;
    for (JsonNode c : pod.at("/spec/containers")) {
      apps += quantity(c.at("/resources/" + key));
    }
    long init = 0;
    for (JsonNode c : pod.at("/spec/initContainers")) {
      init = Math.max(init, quantity(c.at("/resources/" + key)));
    }
    return Math.max(apps, init);
  }

  private static long quantity(JsonNode q) {
    return q.isMissingNode()
        ? 0
        : new Quantity(q.asText()).getNumericalAmount().movePointRight(3).longValue();
  }

  private static String wrap(String spec) {
    return "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'shop'},'spec':"
        + spec
        + "}";
  }

  private static JsonNode mutate(String spec, InjectionSettings settings, OptionalLong uid) {
    ObjectNode pod = TestPods.pod(wrap(spec));
    PodView view = PodView.of(pod);
    InjectionDecision decision =
        InjectionDecision.of(settings, view, "shop", TestPolicies.jvmImages(view));
    var result = new PodMutator().mutate(pod, "shop", uid, (InjectionDecision.Inject) decision);
    return TestPods.apply(pod, result.patch());
  }
}
