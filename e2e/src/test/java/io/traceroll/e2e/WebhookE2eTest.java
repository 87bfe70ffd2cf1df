package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.traceroll.api.Traceroll;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pods admitted by the real kube-apiserver carry the agent, through our webhook. */
class WebhookE2eTest extends OperatorE2eBase {
  static String policyNs;

  @BeforeAll
  static void createPolicy() throws Exception {
    policyNs = namespace("obs-wh", Map.of());
    cluster.client.resource(TestCluster.sample("tracingpolicy-otlp.yaml", policyNs)).create();
    // The leader registers one webhook per policy once its CA is in place.
    await()
        .atMost(TestCluster.timeout())
        .until(
            () -> {
              MutatingWebhookConfiguration mwc =
                  cluster
                      .client
                      .admissionRegistration()
                      .v1()
                      .mutatingWebhookConfigurations()
                      .withName("traceroll-webhook")
                      .get();
              return mwc != null
                  && mwc.getWebhooks().stream()
                      .anyMatch(
                          w ->
                              w.getName().startsWith("to-collector." + policyNs)
                                  && operator.webhookUrl().equals(w.getClientConfig().getUrl())
                                  && w.getClientConfig().getCaBundle() != null);
            });
  }

  @Test
  void podsOfADeploymentInALabelledNamespaceGetTheAgent() {
    // Policies of other test classes may still exist; the namespace names the one it wants.
    String ns = governedNamespace("shop-wh");
    cluster.client.resource(deployment(ns, "checkout")).create();

    Pod pod = awaitPod(ns, "checkout");
    assertThat(pod.getSpec().getInitContainers())
        .first()
        .satisfies(init -> assertThat(init.getName()).isEqualTo("traceroll-agent-init"));
    Container app = pod.getSpec().getContainers().get(0);
    Map<String, EnvVar> env = env(app);
    assertThat(env.get("JAVA_TOOL_OPTIONS").getValue())
        .isEqualTo("-Xmx256m -javaagent:/traceroll/agent/javaagent.jar");
    assertThat(env.get("OTEL_SERVICE_NAME").getValue()).isEqualTo("checkout");
    assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT").getValue())
        .isEqualTo("http://otel-collector.observability.svc:4317");
    assertThat(env.get("OTEL_TRACES_SAMPLER").getValue()).isEqualTo("parentbased_jaeger_remote");
    assertThat(env.get("OTEL_TRACES_SAMPLER_ARG").getValue())
        .isEqualTo(
            "endpoint=http://to-collector-sampling."
                + policyNs
                + ".svc:14250,pollingIntervalMs=30000,initialSamplingRate=0.25");
    assertThat(env.get("OTEL_RESOURCE_ATTRIBUTES").getValue())
        .contains("k8s.namespace.name=" + ns)
        .contains("k8s.deployment.name=checkout")
        .contains("service.version=1.4.2");
    assertThat(env.get("TRACEROLL_POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(Traceroll.AGENT_VERSION_ANNOTATION, Traceroll.AGENT_VERSION)
        .hasEntrySatisfying(
            Traceroll.INJECTED_ANNOTATION,
            v -> assertThat(v).startsWith(policyNs + ".to-collector@"));
    // KWOK runs the instrumented pod like any other.
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                "Running"
                    .equals(
                        cluster
                            .client
                            .pods()
                            .inNamespace(ns)
                            .withName(pod.getMetadata().getName())
                            .get()
                            .getStatus()
                            .getPhase()));
  }

  /**
   * The API server calls the webhook once per pod: the injected init container already mounts the
   * API token the ServiceAccount admission plugin would add after us, so nothing changes the pod
   * after the webhook and reinvocationPolicy IfNeeded never calls it again.
   */
  @Test
  void eachPodIsAdmittedWithOneCall() throws Exception {
    String ns = governedNamespace("once-wh");
    double injected = operator.admissions("injected");
    double unchanged = operator.admissions("unchanged");
    Deployment d = deployment(ns, "cart");
    d.getSpec().setReplicas(3);
    cluster.client.resource(d).create();

    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                cluster.client.pods().inNamespace(ns).list().getItems().stream()
                        .filter(
                            p ->
                                p.getMetadata().getAnnotations() != null
                                    && p.getMetadata()
                                        .getAnnotations()
                                        .containsKey(Traceroll.INJECTED_ANNOTATION))
                        .count()
                    == 3);
    Pod pod = cluster.client.pods().inNamespace(ns).list().getItems().get(0);
    assertThat(pod.getSpec().getInitContainers().get(0).getVolumeMounts())
        .as("the init container mounts the API token as the app container does")
        .anySatisfy(
            m ->
                assertThat(m.getMountPath())
                    .isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount"));
    assertThat(operator.admissions("injected") - injected).isEqualTo(3.0);
    assertThat(operator.admissions("unchanged") - unchanged)
        .as("calls again for the same pod")
        .isZero();
  }

  /**
   * A burst of concurrent creates while connections to the webhook sit open and unused, as the API
   * server's do between bursts: every pod is injected, none created without the agent because a
   * call timed out (the JDK server's few threads waited on such connections).
   */
  @Test
  void aBurstOfCreatesBesideIdleConnectionsIsInjectedEveryOne() throws Exception {
    String ns = governedNamespace("burst-wh");
    double injected = operator.admissions("injected");
    List<SSLSocket> idle = new ArrayList<>();
    ExecutorService creators = Executors.newFixedThreadPool(BURST);
    try {
      for (int i = 0; i < 16; i++) {
        idle.add(TlsProbe.handshaken(operator.ports().webhook()));
      }
      List<Future<Pod>> created = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        Pod pod = bareJvmPod(ns, "burst-" + i);
        created.add(creators.submit(() -> cluster.client.resource(pod).create()));
      }
      for (Future<Pod> pod : created) {
        assertThat(pod.get(30, TimeUnit.SECONDS).getMetadata().getAnnotations())
            .as("created with the agent")
            .containsKey(Traceroll.INJECTED_ANNOTATION);
      }
      assertThat(operator.admissions("injected") - injected).isEqualTo(BURST);
    } finally {
      creators.shutdownNow();
      for (SSLSocket socket : idle) {
        socket.close();
      }
    }
  }

  private static final int BURST = 32;

  /** A bare pod whose one container runs a JVM (JAVA_TOOL_OPTIONS set), in namespace ns. */
  static Pod bareJvmPod(String ns, String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("ghcr.io/example/java/" + name + ":1.4.2")
        .addNewEnv()
        .withName("JAVA_TOOL_OPTIONS")
        .withValue("-Xmx256m")
        .endEnv()
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void podsInAnUnlabelledNamespaceAreUntouched() {
    String ns = namespace("plain-wh", Map.of());
    cluster.client.resource(deployment(ns, "inventory")).create();

    Pod pod = awaitPod(ns, "inventory");
    assertThat(pod.getSpec().getInitContainers()).isEmpty();
    assertThat(env(pod.getSpec().getContainers().get(0))).doesNotContainKey("OTEL_SERVICE_NAME");
    assertThat(pod.getMetadata().getAnnotations()).doesNotContainKey(Traceroll.INJECTED_ANNOTATION);
  }

  @Test
  void aPodThatOptsOutIsUntouched() {
    String ns = namespace("optout-wh", Map.of(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED));
    Pod created =
        cluster
            .client
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("batch")
                    .withNamespace(ns)
                    .addToAnnotations(Traceroll.INJECT_ANNOTATION, "false")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("app")
                    .withImage("example/java-batch:1")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    assertThat(created.getSpec().getInitContainers()).isEmpty();
    assertThat(created.getMetadata().getAnnotations())
        .doesNotContainKey(Traceroll.INJECTED_ANNOTATION);
  }

  @Test
  void podsAreStillCreatedWhileTheWebhookIsDown() throws Exception {
    String ns = namespace("down-wh", Map.of(Traceroll.INJECT_LABEL, Traceroll.INJECT_ENABLED));
    operator.close();
    try {
      Pod created =
          cluster
              .client
              .resource(
                  new PodBuilder()
                      .withNewMetadata()
                      .withName("while-down")
                      .withNamespace(ns)
                      .endMetadata()
                      .withNewSpec()
                      .addNewContainer()
                      .withName("app")
                      .withImage("example/java-app:1")
                      .endContainer()
                      .endSpec()
                      .build())
              .create();
      assertThat(created.getMetadata().getUid()).isNotBlank();
      assertThat(created.getSpec().getInitContainers()).isEmpty();
    } finally {
      operator = operator.restart();
    }
  }

  /** A new namespace labelled for injection by the test's policy. */
  private static String governedNamespace(String prefix) {
    return namespace(
        prefix,
        Map.of(
            Traceroll.INJECT_LABEL,
            Traceroll.INJECT_ENABLED,
            Traceroll.POLICY_LABEL,
            policyNs + ".to-collector"));
  }

  private static Pod awaitPod(String ns, String app) {
    await()
        .atMost(TestCluster.timeout())
        .until(
            () ->
                !cluster
                    .client
                    .pods()
                    .inNamespace(ns)
                    .withLabel("app.kubernetes.io/name", app)
                    .list()
                    .getItems()
                    .isEmpty());
    return cluster
        .client
        .pods()
        .inNamespace(ns)
        .withLabel("app.kubernetes.io/name", app)
        .list()
        .getItems()
        .get(0);
  }

  private static Map<String, EnvVar> env(Container c) {
    List<EnvVar> env = c.getEnv() == null ? List.of() : c.getEnv();
    return env.stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
  }

  private static Deployment deployment(String ns, String name) {
    return Workloads.deployment(
        ns,
        name,
        1,
        "app.kubernetes.io/name",
        Map.of("app.kubernetes.io/version", "1.4.2"),
        c ->
            c.withImage("ghcr.io/example/java/" + name + ":1.4.2")
                .addNewEnv()
                .withName("JAVA_TOOL_OPTIONS")
                .withValue("-Xmx256m")
                .endEnv());
  }
}
