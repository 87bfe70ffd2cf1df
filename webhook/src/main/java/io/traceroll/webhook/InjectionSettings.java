package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.List;
import java.util.Map;

/**
 * Everything the mutator needs from a policy, resolved once per policy change rather than per
 * admission.
 *
 * @param policyId {@code <namespace>.<name>} of the policy
 * @param generation the policy's metadata.generation, recorded on injected pods
 * @param samplerEnv OTEL_TRACES_SAMPLER and its argument
 * @param extraEnv the policy's java.env entries, as JSON
 * @param initResources the init container's resources, as JSON (null for the default)
 */
public record InjectionSettings(
    String policyId,
    long generation,
    String agentImage,
    InjectionMode mode,
    List<String> containerNames,
    List<String> propagators,
    Map<String, String> resourceAttributes,
    List<JsonNode> extraEnv,
    JsonNode initResources,
    String otlpEndpoint,
    String otlpProtocol,
    Map<String, String> samplerEnv,
    String headersSecretName) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A short hash of what the injection puts into a pod, leaving out what changes without a restart
   * (sampling, served remotely) and bookkeeping (the policy's generation).
   */
  public String injectionHash() {
    String material =
        String.join(
            "\n",
            Traceroll.AGENT_VERSION,
            agentImage,
            String.valueOf(mode),
            String.valueOf(containerNames),
            String.valueOf(propagators),
            String.valueOf(new java.util.TreeMap<>(resourceAttributes)),
            String.valueOf(extraEnv),
            String.valueOf(initResources),
            otlpEndpoint,
            otlpProtocol,
            String.valueOf(headersSecretName));
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(material.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The injection settings of a policy; the endpoint follows its backend. */
  public static InjectionSettings of(TracingPolicy policy) {
    TracingPolicySpec spec = policy.getSpec();
    OtlpTarget target = OtlpTarget.of(policy);
    var java = spec.getJava();
    return new InjectionSettings(
        policy.getMetadata().getNamespace() + "." + policy.getMetadata().getName(),
        policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration(),
        java.getImage(),
        java.getMode(),
        List.copyOf(java.getContainerNames()),
        List.copyOf(java.getPropagators()),
        Map.copyOf(java.getResourceAttributes()),
        java.getEnv().stream().map(e -> (JsonNode) JSON.valueToTree(e)).toList(),
        java.getResources() == null ? null : JSON.valueToTree(java.getResources()),
        target.endpoint(),
        target.protocol(),
        OtlpTarget.samplerEnv(policy),
        target.headersSecretName());
  }
}
