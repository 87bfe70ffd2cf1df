package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The CRD installed on the real API server (no operator), a namespace of the class's own, and the
 * two ways the CRD tests apply a policy: dry-run through the Java model, or raw YAML that must be
 * refused.
 */
abstract class CrdE2eBase {
  static TestCluster cluster;
  static String ns;

  @BeforeAll
  static void install() throws Exception {
    cluster = new TestCluster();
    cluster.installCrd();
    ns = cluster.createNamespace("crd", Map.of());
  }

  @AfterAll
  static void cleanUp() {
    cluster.deleteNamespace(ns);
    cluster.client.close();
  }

  /** An example policy, in this class's namespace, under another name. */
  static TracingPolicy sample(String file, String name) throws IOException {
    TracingPolicy policy = TestCluster.sample(file, ns);
    policy.getMetadata().setName(name);
    return policy;
  }

  /** The policy as the API server would store it, defaults applied; nothing is stored. */
  static TracingPolicy dryRun(TracingPolicy policy) {
    return cluster.client.resource(policy).dryRun().create();
  }

  /** A spec with an OTLP backend and these further lines (YAML as under spec). */
  static String otlpSpec(String lines) {
    return "spec:\n  backend: {otlpEndpoint: {endpoint: \"http://collector:4317\"}}\n"
        + lines.indent(2);
  }

  /** Creates the policy through a client that does not parse it into Java (raw YAML). */
  static void assertRefused(String specYaml, String field, String message) {
    String yaml =
        "apiVersion: traceroll.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: bad, namespace: "
            + ns
            + "}\n"
            + specYaml;
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      assertThatThrownBy(
              () ->
                  client
                      .resource(new ByteArrayInputStream(yaml.getBytes()))
                      .inNamespace(ns)
                      .create())
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
          .hasMessageContaining(field)
          .hasMessageContaining(message);
    }
  }
}
