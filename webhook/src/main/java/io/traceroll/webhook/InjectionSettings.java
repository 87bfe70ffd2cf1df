package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
