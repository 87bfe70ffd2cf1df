package io.traceroll.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.operator.gateway.GatewayConfigRenderer;
import io.traceroll.operator.gateway.GatewayHeaders;
import io.traceroll.policy.TestPolicies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Tail-sampling policies and the gateway config the operator renders for them, made ready for a
 * local Jaeger v2 (the collector build the gateway tests run).
 */
final class GatewayConfigs {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The headers Secret's value, in the agents' format. */
  static final String HEADERS = "api-key=s3cr%3Dt,x-tenant=shop";

  private GatewayConfigs() {}

  // --- policies ---

  static TracingPolicy tempo(Consumer<TailSampling> tailSettings, Receiver... receivers) {
    TracingPolicy policy = TestPolicies.tailSampledTempo(receivers);
    tailSettings.accept(policy.getSpec().getSampling().getTail());
    return policy;
  }

  static TracingPolicy otlp(String endpoint, OtlpProtocol protocol, String headersSecret) {
    return TestPolicies.tailSampledOtlp(endpoint, protocol, headersSecret);
  }

  // --- configs ---

  /** The gateway config the operator renders for the policy, as Jaeger will read it. */
  static ObjectNode renderForJaeger(TracingPolicy policy) throws Exception {
    return forJaeger((ObjectNode) YAML.readTree(GatewayConfigRenderer.render(policy)));
  }

  /**
   * Jaeger's build has healthcheckv2 instead of health_check (the contrib image has both);
   * healthcheckv2 without use_v2 takes health_check's settings, so only the name changes. Every
   * other component is checked as rendered.
   */
  private static ObjectNode forJaeger(ObjectNode config) {
    ObjectNode extensions = (ObjectNode) config.get("extensions");
    extensions.set("healthcheckv2", extensions.remove("health_check"));
    ArrayNode enabled = ((ObjectNode) config.get("service")).putArray("extensions");
    enabled.add("healthcheckv2");
    return config;
  }

  /** The environment the gateway pod gets from its headers Secret, when the backend has one. */
  static Map<String, String> headersEnv(TracingPolicy policy) {
    return GatewayConfigRenderer.sendsHeaders(policy)
        ? Map.of(
            GatewayConfigRenderer.HEADERS_ENV, GatewayHeaders.toJson(GatewayHeaders.parse(HEADERS)))
        : Map.of();
  }

  /** Writes the config (YAML text, or a tree to write as YAML) to a file under target. */
  static Path write(Object config) throws Exception {
    Path file = Files.createTempFile(Path.of("target"), "collector-", ".yaml");
    Files.writeString(file, config instanceof String text ? text : YAML.writeValueAsString(config));
    return file;
  }
}
