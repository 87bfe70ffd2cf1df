package io.traceroll.operator.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.cluster.ClusterView;
import io.traceroll.operator.rollout.Workload;
import io.traceroll.policy.ImageVerdicts;
import io.traceroll.policy.JvmDetection.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prober against a CRUD API server: the probe pod it creates for a workload's image, the
 * verdict it records from that pod's status, and what it does when the pod never runs.
 */
@EnableKubernetesMockClient(crud = true)
class ImageProberTest {
  static final String OPERATOR_NS = "traceroll-system";
  static final String IMAGE = "registry.example/checkout:1.4.2";
  KubernetesClient client;
  ClusterView view;
  ImageProber prober;
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));

  @BeforeEach
  void start() {
    view = new ClusterView(client, OPERATOR_NS);
    view.startAdmission();
    view.startRollout();
    prober = new ImageProber(client, view, new SimpleMeterRegistry(), clock);
  }

  @AfterEach
  void stop() {
    prober.close();
    view.close();
  }

  @Test
  void aWorkloadsImageIsRunOnceInALockedDownPodAndItsVerdictRecorded() {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.admissionregistration.v1
                    .MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("traceroll-webhook")
                .endMetadata()
                .build())
        .create();
    Workload checkout = runningWorkload("checkout", IMAGE, 1000L);

    prober.request(checkout, List.of(IMAGE));
    prober.request(checkout, List.of(IMAGE));

    List<Pod> probes = probes();
    assertThat(probes).as("one probe for the image, however often asked").hasSize(1);
    Pod probe = probes.get(0);
    var spec = probe.getSpec();
    var c = spec.getContainers().get(0);
    assertThat(spec.getNodeName()).isEqualTo("node-1");
    assertThat(c.getImage()).isEqualTo(IMAGE);
    assertThat(c.getImagePullPolicy()).isEqualTo("Never");
    assertThat(c.getArgs()).containsExactly("--port=8080");
    assertThat(c.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("MODE", "prod"),
            org.assertj.core.groups.Tuple.tuple("_JAVA_OPTIONS", ProbeVerdict.OPTION),
            org.assertj.core.groups.Tuple.tuple("IBM_JAVA_OPTIONS", ProbeVerdict.OPTION),
            org.assertj.core.groups.Tuple.tuple("JDK_JAVA_OPTIONS", ProbeVerdict.OPTION));
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getVolumeMounts()).isEmpty();
    assertThat(spec.getVolumes()).isEmpty();
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getDnsPolicy()).isEqualTo("None");
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(ImageProber.DEADLINE_SECONDS);
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
    assertThat(probe.getMetadata().getLabels()).containsEntry(Traceroll.INJECT_LABEL, "false");
    assertThat(probe.getMetadata().getAnnotations())
        .containsEntry(ImageProber.FOR_ANNOTATION, "Deployment/shop/checkout");

    finish(probe, 1, ProbeVerdictTest.HOTSPOT_WITH_AGENT);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              prober.check();
              assertThat(view.imageVerdicts().lookup(IMAGE))
                  .hasValueSatisfying(
                      e -> {
                        assertThat(e.verdict()).isEqualTo(Verdict.JVM);
                        assertThat(e.agent()).isEqualTo("/opt/dd-java-agent.jar");
                        assertThat(e.imageId()).isEqualTo("sha256:checkout");
                        assertThat(e.probedAt()).isEqualTo("2026-12-07T10:00:00Z");
                      });
            });
    assertThat(probes()).as("the probe pod is deleted").isEmpty();
    ConfigMap map =
        client.configMaps().inNamespace(OPERATOR_NS).withName(ImageVerdicts.CONFIG_MAP).get();
    assertThat(map.getData()).containsOnlyKeys(ImageVerdicts.key(IMAGE));
    assertThat(map.getMetadata().getOwnerReferences())
        .as("owned by the install's webhook configuration: uninstalling removes it")
        .singleElement()
        .satisfies(r -> assertThat(r.getKind()).isEqualTo("MutatingWebhookConfiguration"));

    // A second image's verdict joins the first one's.
    String web = "registry.example/web:2";
    Workload webWorkload = runningWorkload("web", web, null);
    prober.request(webWorkload, List.of(web));
    Pod webProbe = probes().get(0);
    assertThat(webProbe.getSpec().getSecurityContext().getRunAsUser())
        .as("a pod without a user of its own runs the probe as nobody")
        .isEqualTo(ImageProber.NOBODY);
    finish(webProbe, 2, "flag provided but not defined: -config");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              prober.check();
              assertThat(view.imageVerdicts().lookup(web).map(ImageVerdicts.Entry::verdict))
                  .contains(Verdict.NOT_JVM);
            });
    assertThat(view.imageVerdicts().lookup(IMAGE)).isPresent();
  }

  @Test
  void aProbeThatCannotRunIsTriedAgainAfterAWhileAndRecordsNothing() {
    Workload checkout = runningWorkload("checkout", IMAGE, null);
    prober.request(checkout, List.of(IMAGE));
    Pod probe = probes().get(0);
    probe.setStatus(
        new PodBuilder()
            .withNewStatus()
            .withPhase("Pending")
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(ProbeVerdict.CONTAINER)
                    .withState(
                        new ContainerStateBuilder()
                            .withNewWaiting()
                            .withReason("ErrImageNeverPull")
                            .endWaiting()
                            .build())
                    .build())
            .endStatus()
            .build()
            .getStatus());
    client.resource(probe).updateStatus();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              prober.check();
              assertThat(probes()).isEmpty();
            });
    assertThat(
            client.configMaps().inNamespace(OPERATOR_NS).withName(ImageVerdicts.CONFIG_MAP).get())
        .isNull();

    prober.request(checkout, List.of(IMAGE));
    assertThat(probes()).as("not again at once").isEmpty();
    clock.advance(ImageProber.RETRY.plusSeconds(1));
    prober.request(checkout, List.of(IMAGE));
    assertThat(probes()).as("again after the retry delay").hasSize(1);
  }

  @Test
  void anImageNoPodRunsYetIsProbedOnceOneDoes() {
    Workload checkout = runningWorkload("checkout", IMAGE, null);
    String next = "registry.example/checkout:1.5.0";

    prober.request(checkout, List.of(next));
    prober.check();
    assertThat(probes()).isEmpty();

    // The Deployment rolls its new image out: the first pod that runs it is probed, unasked.
    runningPod("checkout-2", "checkout", next, null);
    prober.check();
    assertThat(probes()).hasSize(1);
    assertThat(probes().get(0).getSpec().getContainers().get(0).getImage()).isEqualTo(next);
  }

  private List<Pod> probes() {
    return client
        .pods()
        .inNamespace(OPERATOR_NS)
        .withLabel(Traceroll.COMPONENT_LABEL, ImageProber.COMPONENT)
        .list()
        .getItems();
  }

  private void finish(Pod probe, int exitCode, String output) {
    probe.setStatus(ProbeVerdictTest.terminated(exitCode, output, null).getStatus());
    client.resource(probe).updateStatus();
  }

  /** A Deployment of shop and its one running pod on node-1, as the caches see them. */
  private Workload runningWorkload(String name, String image, Long user) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("app", name)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(image)
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.resource(d).create();
    runningPod(name + "-1", name, image, user);
    return Workload.of(d);
  }

  /** A running pod of shop labelled app: app, on node-1, its container running the image. */
  private void runningPod(String name, String app, String image, Long user) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName(name)
            .withLabels(Map.of("app", app))
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-1")
            .withNewSecurityContext()
            .withRunAsUser(user)
            .endSecurityContext()
            .addNewContainer()
            .withName("app")
            .withImage(image)
            .withArgs("--port=8080")
            .withEnv(
                new EnvVar("MODE", "prod", null),
                new EnvVarBuilder()
                    .withName("DB_PASSWORD")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("password", "db", false)
                    .endValueFrom()
                    .build())
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .addNewContainerStatus()
            .withName("app")
            .withImageID("sha256:" + app)
            .withNewState()
            .withNewRunning()
            .endRunning()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    client.resource(pod).create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> view.pods("shop").stream().anyMatch(p -> p.getMetadata().getName().equals(name)));
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
