package io.traceroll.e2e;

import static io.traceroll.e2e.OlmInstall.CSV;
import static io.traceroll.e2e.OlmInstall.DEPLOYMENT;
import static io.traceroll.e2e.OlmInstall.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.operator.admission.WebhookConfig;
import io.traceroll.webhook.AdmissionServer;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A theme of {@link OlmInstallE2eTest}, run as its {@code @Nested} class once the CSV succeeded:
 * what the olm operator created from the CSV (the Deployment with its certificate volume, the
 * webhook configuration, the Service in front of the webhook port and its certificate) against what
 * the CSV declares, each recorded for the uninstall to check.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class OlmCreatedObjects {
  @Test
  @Order(2)
  void theDeploymentIsTheCsvsWithOlmsCertificateWhereTheOlmModeReadsIt(OlmInstall olm)
      throws Exception {
    olm.assumeInstalled();
    JsonNode declared = OlmBundle.csv().at("/spec/install/spec/deployments/0");
    assertThat(declared.path("name").asText()).isEqualTo(DEPLOYMENT);
    JsonNode live = olm.get("apps/v1", "Deployment", olm.namespace, DEPLOYMENT);
    assertThat(live.at("/metadata/labels").path("olm.owner").asText()).isEqualTo(CSV);
    olm.assertOwnedByCsv(live);
    olm.record(live);

    // Everything the CSV declares, with the API server's defaults and OLM's additions around it.
    Map<String, List<JsonNode>> added = new TreeMap<>();
    OlmInstall.assertContains(declared.path("spec"), live.path("spec"), "spec", added);
    String container = "spec/template/spec/containers/0";
    assertThat(added.keySet())
        .containsExactlyInAnyOrder(
            container + "/env", container + "/volumeMounts", "spec/template/spec/volumes");
    assertThat(added.get(container + "/env"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path("name").asText()).isEqualTo("OPERATOR_CONDITION_NAME");
              assertThat(e.path("value").asText()).isEqualTo(CSV);
            });
    Map<String, String> secretVolumes = new HashMap<>();
    for (JsonNode volume : added.get("spec/template/spec/volumes")) {
      assertThat(volume.at("/secret/secretName").asText())
          .as("volume %s", volume.path("name").asText())
          .isEqualTo(DEPLOYMENT + "-service-cert");
      secretVolumes.put(volume.path("name").asText(), volume.at("/secret/items").toString());
    }
    Map<String, String> mounts = new HashMap<>();
    added
        .get(container + "/volumeMounts")
        .forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
    assertThat(mounts.values()).containsExactlyInAnyOrderElementsOf(secretVolumes.keySet());

    // The olm mode of the operator, configured from this container's environment, reads tls.crt
    // and tls.key where OLM mounts them.
    Map<String, String> env = new HashMap<>();
    live.at("/" + container + "/env")
        .forEach(
            e -> {
              if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
              }
            });
    WebhookConfig config = WebhookConfig.fromEnvironment(env);
    assertThat(config.certMode()).isEqualTo(WebhookConfig.CertMode.OLM);
    String certVolume = mounts.get(config.certDir().toString());
    assertThat(certVolume).as("a volume mounted at %s", config.certDir()).isNotNull();
    assertThat(JSON.readTree(secretVolumes.get(certVolume)))
        .isEqualTo(
            JSON.readTree(
                "[{\"key\":\"tls.crt\",\"path\":\"tls.crt\"},"
                    + "{\"key\":\"tls.key\",\"path\":\"tls.key\"}]"));

    // KWOK ran both replicas as the account OLM created.
    int replicas = declared.at("/spec/replicas").asInt();
    assertThat(live.at("/status/availableReplicas").asInt()).isEqualTo(replicas);
    InstallPath.assertRunOnKwok(
        olm.client()
            .pods()
            .inNamespace(olm.namespace)
            .withLabels(
                JSON.convertValue(
                    declared.at("/spec/selector/matchLabels"),
                    new TypeReference<Map<String, String>>() {}))
            .list()
            .getItems(),
        replicas);
  }

  @Test
  @Order(2)
  void olmsWebhookConfigurationCallsTheOperatorThroughItsServiceWithACaThatVerifiesTheCertificate(
      OlmInstall olm) throws Exception {
    olm.assumeInstalled();
    JsonNode definition = OlmBundle.csv().at("/spec/webhookdefinitions/0");
    JsonNode mwc = olm.webhookConfiguration();
    assertThat(mwc.at("/metadata/name").asText())
        .startsWith(definition.path("generateName").asText() + "-");
    olm.record(mwc);
    assertThat(mwc.path("webhooks")).hasSize(1);
    JsonNode webhook = mwc.at("/webhooks/0");
    String service = definition.path("deploymentName").asText() + "-service";
    assertThat(webhook.path("name").asText()).isEqualTo(definition.path("generateName").asText());
    assertThat(webhook.at("/clientConfig/service"))
        .isEqualTo(
            JSON.createObjectNode()
                .put("name", service)
                .put("namespace", olm.namespace)
                .put("path", definition.path("webhookPath").asText())
                .put("port", definition.path("containerPort").asInt()));
    for (String field :
        List.of(
            "rules",
            "failurePolicy",
            "sideEffects",
            "timeoutSeconds",
            "admissionReviewVersions",
            "matchPolicy",
            "reinvocationPolicy",
            "objectSelector")) {
      assertThat(InstallPathsAgreeTest.normalized(webhook.path(field)))
          .as(field)
          .isEqualTo(InstallPathsAgreeTest.normalized(definition.path(field)));
    }
    // All namespaces: OLM adds no namespace selector; the operator decides per pod.
    assertThat(webhook.path("namespaceSelector")).isEqualTo(JSON.createObjectNode());

    // The Service OLM put in front of the operator's webhook port.
    JsonNode svc = olm.get("v1", "Service", olm.namespace, service);
    olm.assertOwnedByCsv(svc);
    olm.record(svc);
    JsonNode deployment = OlmBundle.csv().at("/spec/install/spec/deployments/0/spec");
    assertThat(svc.at("/spec/selector")).isEqualTo(deployment.at("/selector/matchLabels"));
    assertThat(svc.at("/spec/ports")).hasSize(1);
    assertThat(svc.at("/spec/ports/0/port").asInt())
        .isEqualTo(definition.path("containerPort").asInt());
    assertThat(svc.at("/spec/ports/0/targetPort").asInt())
        .isEqualTo(definition.path("targetPort").asInt());
    List<Integer> webhookPorts = new ArrayList<>();
    deployment
        .at("/template/spec/containers/0/ports")
        .forEach(
            p -> {
              if (p.path("name").asText().equals("webhook")) {
                webhookPorts.add(p.path("containerPort").asInt());
              }
            });
    assertThat(webhookPorts).containsExactly(definition.path("targetPort").asInt());
    Map<String, String> env = new HashMap<>();
    deployment
        .at("/template/spec/containers/0/env")
        .forEach(
            e -> {
              if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
              }
            });
    // The operator's server would also answer below its path (the JDK server matches contexts by
    // prefix), so the path is held to the one it serves.
    assertThat(webhook.at("/clientConfig/service/path").asText())
        .isEqualTo(AdmissionServer.MUTATE_PATH);
    assertThat(WebhookConfig.fromEnvironment(env).port())
        .as("the port the operator serves the webhook on, with the Deployment's environment")
        .isEqualTo(definition.path("targetPort").asInt());

    // The caBundle is the CA that signed the certificate OLM stored for the Service's DNS names.
    X509Certificate ca = caBundle(mwc);
    JsonNode secret = olm.get("v1", "Secret", olm.namespace, service + "-cert");
    olm.assertOwnedByCsv(secret);
    olm.record(secret);
    X509Certificate serving =
        TlsProbe.certificatesOfBase64(secret.at("/data/tls.crt").asText()).get(0);
    PKIXParameters pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    pkix.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(serving)), pkix);
    List<String> dnsNames = new ArrayList<>();
    for (List<?> san : serving.getSubjectAlternativeNames()) {
      if (Integer.valueOf(2).equals(san.get(0))) {
        dnsNames.add((String) san.get(1));
      }
    }
    assertThat(dnsNames).contains(service + "." + olm.namespace + ".svc");
  }

  /** The CA in the caBundle of OLM's webhook. */
  static X509Certificate caBundle(JsonNode mwc) {
    String caBundle = mwc.at("/webhooks/0/clientConfig/caBundle").asText();
    assertThat(caBundle).as("caBundle").isNotEmpty();
    return TlsProbe.certificatesOfBase64(caBundle).get(0);
  }
}
