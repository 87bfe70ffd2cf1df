package io.traceroll.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.reconciler.WebhookServing.Verdict;
import io.traceroll.policy.Naming;
import io.traceroll.policy.TestPolicies;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API server is the fabric8 mock server here, answering as our webhook would or would not. */
class WebhookProbeTest {
  static final String MWC_PATH =
      "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/"
          + WebhookConfig.CONFIGURATION_NAME;
  static final String DRY_RUN_CREATE = "/api/v1/namespaces/shop/pods?dryRun=All";

  final TracingPolicy policy = TestPolicies.policy("obs", "default");
  KubernetesMockServer server;
  KubernetesClient client;
  WebhookProbe probe;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
    probe = new WebhookProbe(client, WebhookConfig.fromEnvironment(Map.of()));
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  MutatingWebhookConfiguration registered(String caBundle) {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(WebhookConfig.CONFIGURATION_NAME)
        .endMetadata()
        .addNewWebhook()
        .withName(Naming.webhook(policy))
        .withNewClientConfig()
        .withUrl("https://127.0.0.1:9443/mutate")
        .withCaBundle(caBundle)
        .endClientConfig()
        .endWebhook()
        .build();
  }

  /** The probe pod as the API server returns it: the annotation as the webhook left it. */
  static Pod admitted(String answer) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("traceroll-webhook-probe-x")
        .withNamespace("shop")
        .addToAnnotations(Traceroll.WEBHOOK_PROBE_ANNOTATION, answer)
        .endMetadata()
        .build();
  }

  /** Every dry-run create is refused with 403 and this message, as a later admission step would. */
  void refuseProbePods(String message) {
    server
        .expect()
        .post()
        .withPath(DRY_RUN_CREATE)
        .andReturn(
            403,
            new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(message).build())
        .always();
  }

  @Test
  void aPolicyIsServedOnceTheApiServerCallsTheWebhookForItAndThatIsKeptWhileItsEntryStays() {
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("Q0E=")).always();
    server.expect().post().withPath(DRY_RUN_CREATE).andReturn(201, admitted("?")).once();
    server.expect().post().withPath(DRY_RUN_CREATE).andReturn(201, admitted("obs.default")).once();

    Verdict first = probe.check(policy, List.of("shop"));
    assertThat(first.serving()).isFalse();
    assertThat(first.reason()).isEqualTo("NotServing");
    assertThat(first.message()).contains("namespace shop").contains("unanswered");
    assertThat(first.askAgainAfter()).isEqualTo(Duration.ofMillis(500));

    Verdict second = probe.check(policy, List.of("shop"));
    assertThat(second.serving()).isTrue();
    assertThat(second.reason()).isEqualTo("Serving");

    int requests = server.getRequestCount();
    assertThat(probe.check(policy, List.of("shop")).reason()).isEqualTo("Serving");
    assertThat(server.getRequestCount() - requests)
        .as("the configuration is read, no probe pod sent")
        .isEqualTo(1);
  }

  @Test
  void aChangedEntryIsProbedAgain() {
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("Q0E=")).once();
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("TkVX")).always();
    server.expect().post().withPath(DRY_RUN_CREATE).andReturn(201, admitted("obs.default")).once();
    server.expect().post().withPath(DRY_RUN_CREATE).andReturn(201, admitted("?")).always();

    assertThat(probe.check(policy, List.of("shop")).serving()).isTrue();
    Verdict afterNewCa = probe.check(policy, List.of("shop"));
    assertThat(afterNewCa.serving()).as("a new CA bundle the API server has not loaded").isFalse();
  }

  @Test
  void notRegisteredIsAskedAgainLaterEachTimeUpToHalfAMinute() {
    server.expect().get().withPath(MWC_PATH).andReturn(404, null).always();

    List<Duration> waits =
        java.util.stream.IntStream.range(0, 9)
            .mapToObj(i -> probe.check(policy, List.of("shop")))
            .peek(v -> assertThat(v.reason()).isEqualTo("NotRegistered"))
            .map(Verdict::askAgainAfter)
            .toList();
    assertThat(waits)
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30));
  }

  @Test
  void withoutAGovernedNamespaceOnlyTheRegistrationIsChecked() {
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("Q0E=")).always();

    Verdict verdict = probe.check(policy, List.of());

    assertThat(verdict.serving()).isTrue();
    assertThat(verdict.reason()).isEqualTo("Registered");
    assertThat(server.getRequestCount()).as("no probe pod").isEqualTo(1);
  }

  @Test
  void aProbePodRefusedByALaterAdmissionStepLeavesItRegisteredButUnconfirmed() {
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("Q0E=")).always();
    refuseProbePods("pods \"x\" is forbidden: exceeded quota: pods, requested: pods=1");

    Verdict verdict = probe.check(policy, List.of("shop"));

    assertThat(verdict.serving()).isTrue();
    assertThat(verdict.reason()).isEqualTo("RegisteredUnprobed");
    assertThat(verdict.message()).contains("exceeded quota");
  }

  @Test
  void aNamespaceWithoutItsServiceAccountYetIsAskedAgain() {
    server.expect().get().withPath(MWC_PATH).andReturn(200, registered("Q0E=")).always();
    refuseProbePods(
        "pods \"x\" is forbidden: error looking up service account shop/default:"
            + " serviceaccount \"default\" not found");

    assertThat(probe.check(policy, List.of("shop")).serving()).isFalse();
  }

  @Test
  void theProbePodPassesTheRestrictedPodSecurityLevelAndMountsNoToken() {
    Pod pod = WebhookProbe.probePod("shop");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType())
        .isEqualTo("RuntimeDefault");
    var container = pod.getSpec().getContainers().get(0).getSecurityContext();
    assertThat(container.getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
  }
}
