package io.traceroll.e2e;

import static io.traceroll.e2e.OlmInstall.DEPLOYMENT;
import static io.traceroll.e2e.OlmInstall.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.traceroll.api.Traceroll;
import io.traceroll.operator.admission.WebhookConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * A theme of {@link OlmInstallE2eTest}, run as its {@code @Nested} class once the CSV succeeded:
 * the operator jar run out of cluster in the olm certificate mode, with the certificate files OLM
 * generated and a token of the ServiceAccount OLM created. The API server cannot reach a Service
 * here, so the admission request is sent by the test, over TLS checked against the configuration's
 * caBundle and the Service's DNS name as the API server checks it.
 */
abstract class OlmOperatorRun {
  static final String SELECTOR_LABEL = "traceroll.io/e2e-olm";

  @Test
  void theOperatorInOlmModeServesWithOlmsCertificateAndRunsOnOlmsRbac(OlmInstall olm)
      throws Exception {
    olm.assumeInstalled();
    // The certificate files as the pod's volume holds them.
    JsonNode live = olm.get("apps/v1", "Deployment", olm.namespace, DEPLOYMENT);
    Map<String, String> env = Map.of("TRACEROLL_WEBHOOK_CERT_MODE", "olm");
    Path mountPath = WebhookConfig.fromEnvironment(env).certDir();
    Path certDir = Path.of("target", "olm-certs-" + olm.namespace).toAbsolutePath();
    Files.createDirectories(certDir);
    String service = DEPLOYMENT + "-service";
    JsonNode secret = olm.get("v1", "Secret", olm.namespace, service + "-cert");
    int files = 0;
    for (JsonNode mount : live.at("/spec/template/spec/containers/0/volumeMounts")) {
      if (!mount.path("mountPath").asText().equals(mountPath.toString())) {
        continue;
      }
      for (JsonNode volume : live.at("/spec/template/spec/volumes")) {
        if (volume.path("name").equals(mount.path("name"))) {
          for (JsonNode item : volume.at("/secret/items")) {
            Files.write(
                certDir.resolve(item.path("path").asText()),
                Base64.getDecoder()
                    .decode(secret.path("data").path(item.path("key").asText()).asText()));
            files++;
          }
        }
      }
    }
    assertThat(files).as("files in %s", mountPath).isEqualTo(2);
    String mwcVersion = olm.webhookConfiguration().at("/metadata/resourceVersion").asText();

    olm.startOperator(
        Map.of(
            "TRACEROLL_WEBHOOK_CERT_MODE",
            "olm",
            "TRACEROLL_WEBHOOK_CERT_DIR",
            certDir.toString()));

    // A policy reconciled by the operator with OLM's RBAC.
    String obs = olm.namespace("obs-olm", Map.of());
    String shop = olm.namespace("shop-olm", Map.of());
    olm.client()
        .namespaces()
        .withName(shop)
        .edit(
            n -> {
              n.getMetadata().getLabels().put(SELECTOR_LABEL, shop);
              return n;
            });
    olm.createTempoPolicy(obs, "traced", SELECTOR_LABEL, shop, "{default: {ratio: 1.0}}");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(() -> assertThat(olm.cluster.readyStatus(obs, "traced")).isEqualTo("True"));

    // The API server's call, made by the test: TLS to the Service's DNS name, trusting only the
    // configuration's caBundle, and the AdmissionReview of a pod in the selected namespace.
    JsonNode mwc = olm.webhookConfiguration();
    X509Certificate ca = OlmCreatedObjects.caBundle(mwc);
    JsonNode target = mwc.at("/webhooks/0/clientConfig/service");
    String host = target.path("name").asText() + "." + target.path("namespace").asText() + ".svc";
    String path = target.path("path").asText();
    int port = portOf(olm.operator.webhookUrl());
    JsonNode review = podReview(shop);
    JsonNode response = admit(port, host, path, ca, review);
    assertThat(response.at("/response/allowed").asBoolean()).isTrue();
    assertThat(response.at("/response/patchType").asText()).isEqualTo("JSONPatch");
    // The patch, applied to the pod, adds the agent's init container and annotation (a pod
    // without annotations gets the whole map, so the patch need not name the annotation's path).
    JsonNode patched =
        JsonPatch.apply(
            JSON.readTree(Base64.getDecoder().decode(response.at("/response/patch").asText())),
            review.at("/request/object"));
    assertThat(patched.at("/spec/initContainers").findValuesAsText("name"))
        .contains("traceroll-agent-init");
    assertThat(patched.at("/metadata/annotations").has(Traceroll.INJECTED_ANNOTATION))
        .as("%s on the patched pod", Traceroll.INJECTED_ANNOTATION)
        .isTrue();
    // The name every other install path gives the webhook's Service is not in OLM's certificate.
    assertThatThrownBy(
            () ->
                admit(
                    port, "traceroll-webhook." + olm.namespace + ".svc", path, ca, podReview(shop)))
        .isInstanceOf(SSLHandshakeException.class);

    // In the olm mode the operator leaves OLM's webhook configuration alone, and it was refused
    // nothing.
    assertThat(olm.webhookConfiguration().at("/metadata/resourceVersion").asText())
        .isEqualTo(mwcVersion);
    olm.assertOperatorWasRefusedNothing();
    olm.auditedCalls();
    assertThat(olm.operator.isAlive()).isTrue();

    // Deleted, the policy is finalized by the operator (its Tempo goes) and goes.
    olm.cluster.deletePolicy(obs, "traced");
    await()
        .atMost(TestCluster.timeout())
        .untilAsserted(() -> assertThat(olm.cluster.policy(obs, "traced")).isNull());
  }

  private static JsonNode podReview(String ns) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
    request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
    request.put("namespace", ns).put("operation", "CREATE");
    request.putObject("userInfo").put("username", "e2e");
    ObjectNode pod = request.putObject("object");
    pod.put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("generateName", "web-").put("namespace", ns);
    ArrayNode containers = pod.putObject("spec").putArray("containers");
    containers.addObject().put("name", "app").put("image", "example/java-web:1");
    return review;
  }

  /**
   * POSTs an AdmissionReview to the path on loopback as the API server would to the Service: TLS
   * with the Service's DNS name as server name and identity, trusting only the given CA.
   */
  private static JsonNode admit(
      int port, String host, String path, X509Certificate ca, JsonNode review) throws Exception {
    return JSON.readTree(
        TlsProbe.post(
            TlsProbe.trusting(List.of(ca)), host, port, path, JSON.writeValueAsBytes(review)));
  }

  private static int portOf(String url) {
    return URI.create(url).getPort();
  }
}
