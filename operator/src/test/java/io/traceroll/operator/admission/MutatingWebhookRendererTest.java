package io.traceroll.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.TestPolicies;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MutatingWebhookRendererTest {
  static final WebhookConfig BY_SERVICE = WebhookConfig.fromEnvironment(Map.of());
  static final WebhookConfig BY_URL =
      WebhookConfig.fromEnvironment(
          Map.of("TRACEROLL_WEBHOOK_URL", "https://127.0.0.1:9443/mutate"));

  @Test
  void registersOneFailOpenWebhookPerPolicy() {
    MutatingWebhookConfiguration mwc =
        MutatingWebhookRenderer.render(
            List.of(policy("obs", "b"), policy("obs", "a")), BY_SERVICE, "traceroll-system", "CA");

    assertThat(mwc.getMetadata().getName()).isEqualTo("traceroll-webhook");
    assertThat(mwc.getWebhooks())
        .extracting(MutatingWebhook::getName)
        .containsExactly("a.obs.pods.traceroll.io", "b.obs.pods.traceroll.io");
    MutatingWebhook hook = mwc.getWebhooks().get(0);
    assertThat(hook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(hook.getSideEffects()).isEqualTo("None");
    assertThat(hook.getReinvocationPolicy()).isEqualTo("IfNeeded");
    assertThat(hook.getTimeoutSeconds()).isBetween(1, 5);
    assertThat(hook.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getOperations()).containsExactly("CREATE");
              assertThat(r.getResources()).containsExactly("pods");
            });
    assertThat(hook.getClientConfig().getService().getNamespace()).isEqualTo("traceroll-system");
    assertThat(hook.getClientConfig().getService().getPath()).isEqualTo("/mutate");
    assertThat(
            new String(
                Base64.getDecoder().decode(hook.getClientConfig().getCaBundle()),
                StandardCharsets.UTF_8))
        .isEqualTo("CA");
  }

  @Test
  void namespaceSelectorKeepsThePolicySelectorAndExcludesProtectedNamespaces() {
    TracingPolicy policy = policy("obs", "team");
    policy
        .getSpec()
        .getSelector()
        .setNamespaceSelector(
            new LabelSelectorBuilder().addToMatchLabels("team", "payments").build());

    MutatingWebhook hook =
        MutatingWebhookRenderer.render(List.of(policy), BY_SERVICE, "traceroll-system", "CA")
            .getWebhooks()
            .get(0);

    assertThat(hook.getNamespaceSelector().getMatchLabels()).containsEntry("team", "payments");
    assertThat(hook.getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(e.getOperator()).isEqualTo("NotIn");
              assertThat(e.getValues())
                  .containsExactlyInAnyOrder("traceroll-system", "kube-system");
            });
    assertThat(hook.getObjectSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("traceroll.io/inject");
              assertThat(e.getOperator()).isEqualTo("NotIn");
              assertThat(e.getValues()).containsExactly("false");
            });
  }

  @Test
  void defaultSelectorIsTheInjectLabel() {
    MutatingWebhook hook =
        MutatingWebhookRenderer.render(List.of(policy("obs", "p")), BY_URL, "ops", "CA")
            .getWebhooks()
            .get(0);
    assertThat(hook.getNamespaceSelector().getMatchLabels())
        .containsExactlyEntriesOf(Map.of("traceroll.io/inject", "enabled"));
    assertThat(hook.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:9443/mutate");
    assertThat(hook.getClientConfig().getService()).isNull();
  }

  @Test
  void certManagerModeAsksForCaInjectionInsteadOfABundle() {
    WebhookConfig certManager =
        new WebhookConfig(
            true,
            9443,
            "0.0.0.0",
            null,
            "traceroll-webhook",
            WebhookConfig.CertMode.CERT_MANAGER,
            "traceroll-webhook-tls",
            Path.of("/tmp"),
            3);

    MutatingWebhookConfiguration mwc =
        MutatingWebhookRenderer.render(List.of(policy("obs", "p")), certManager, "ops", "CA");

    assertThat(mwc.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", "ops/traceroll-webhook-tls");
    assertThat(mwc.getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();
  }

  @Test
  void noPoliciesMeansNoWebhooks() {
    assertThat(MutatingWebhookRenderer.render(List.of(), BY_URL, "ops", "CA").getWebhooks())
        .isEmpty();
  }

  @Test
  void refusesATimeoutOutsideWhatTheApiServerAllows() {
    assertThatThrownBy(
            () -> WebhookConfig.fromEnvironment(Map.of("TRACEROLL_WEBHOOK_TIMEOUT_SECONDS", "30")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(BY_URL.url()).isEqualTo(URI.create("https://127.0.0.1:9443/mutate"));
  }

  @Test
  void namesTheServiceLinkThatTookThePortsVariable() {
    // What the kubelet sets in a pod whose namespace has the Service traceroll-webhook.
    assertThatThrownBy(
            () ->
                WebhookConfig.fromEnvironment(
                    Map.of("TRACEROLL_WEBHOOK_PORT", "tcp://10.0.0.70:443")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enableServiceLinks: false");
    assertThat(WebhookConfig.fromEnvironment(Map.of("TRACEROLL_WEBHOOK_PORT", "8443")).port())
        .isEqualTo(8443);
  }

  static TracingPolicy policy(String namespace, String name) {
    return TestPolicies.otlpPolicy(namespace, name, TestPolicies.CREATED);
  }

  @Test
  void removesTheWebhooksOfDeletedPoliciesByIndexGuardedByTheirNames() {
    MutatingWebhookConfiguration live =
        MutatingWebhookRenderer.render(
            List.of(policy("obs", "a"), policy("obs", "b"), policy("obs", "c")),
            BY_URL,
            "traceroll-system",
            null);
    MutatingWebhookConfiguration desired =
        MutatingWebhookRenderer.render(
            List.of(policy("obs", "b"), policy("obs", "d")), BY_URL, "traceroll-system", null);

    String patch = MutatingWebhookRenderer.staleWebhookRemoval(live, desired);

    // Highest index first, so the earlier removals do not shift the later ones.
    assertThat(Serialization.unmarshal(patch, List.class))
        .isEqualTo(
            List.of(
                Map.of(
                    "op", "test", "path", "/webhooks/2/name", "value", "c.obs.pods.traceroll.io"),
                Map.of("op", "remove", "path", "/webhooks/2"),
                Map.of(
                    "op", "test", "path", "/webhooks/0/name", "value", "a.obs.pods.traceroll.io"),
                Map.of("op", "remove", "path", "/webhooks/0")));
    assertThat(MutatingWebhookRenderer.staleWebhookRemoval(desired, desired)).isNull();
    assertThat(MutatingWebhookRenderer.staleWebhookRemoval(null, desired)).isNull();
    assertThat(
            MutatingWebhookRenderer.staleWebhookRemoval(
                new MutatingWebhookConfiguration(), desired))
        .isNull();
  }
}
