package io.traceroll.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.AgentUpgrade;
import io.traceroll.api.v1alpha1.InjectionMode;
import io.traceroll.api.v1alpha1.JvmDetectionMode;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything injection needs from a policy, resolved once per policy change rather than per
 * admission or per rollout step.
 *
 * @param policyId {@code <namespace>.<name>} of the policy
 * @param podSelector the pods of a governed namespace the policy instruments (null: all)
 * @param generation the policy's metadata.generation, recorded on injected pods
 * @param sampler the remote sampler agents poll for the policy's sampling
 * @param extraEnv the policy's java.env entries, as JSON
 * @param detection whether containers no name selects must run a JVM (auto) or not (off)
 * @param initResources the init container's resources, as JSON (null for the default)
 * @param injectionHash a short hash of what the injection puts into a pod, leaving out what changes
 *     without a restart (the sampling strategies, served remotely, and the initial rate) and
 *     bookkeeping (the generation); computed once here, not on every admission
 * @param rolledBack the workloads the rollout rolled back from this injection (from status)
 */
public record InjectionSettings(
    String policyId,
    LabelSelector podSelector,
    long generation,
    String agentImage,
    InjectionMode mode,
    List<String> containerNames,
    JvmDetectionMode detection,
    List<String> propagators,
    Map<String, String> resourceAttributes,
    List<JsonNode> extraEnv,
    JsonNode initResources,
    String otlpEndpoint,
    String otlpProtocol,
    RemoteSampler sampler,
    String headersSecretName,
    String injectionHash,
    RolledBackWorkloads rolledBack) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The injection settings of a policy; the endpoint follows its backend. */
  public static InjectionSettings of(TracingPolicy policy) {
    return of(policy, Traceroll.AGENT_VERSION);
  }

  /**
   * @param bundledAgent the version of the agent this operator release bundles: in the hash only
   *     when the policy asks an upgrade of it to roll out (agentUpgrade: Rollout), so by default an
   *     operator upgrade restarts nothing
   */
  static InjectionSettings of(TracingPolicy policy, String bundledAgent) {
    TracingPolicySpec spec = policy.getSpec();
    OtlpTarget target = OtlpTarget.of(policy);
    RemoteSampler sampler = RemoteSampler.of(policy);
    var java = spec.getJava();
    String image = java.effectiveImage();
    String agent =
        java.imagePinned()
            ? "image=" + java.getImage()
            : java.getAgentUpgrade() == AgentUpgrade.Rollout
                ? "bundled=" + bundledAgent
                : "bundled";
    List<String> containerNames = List.copyOf(java.getContainerNames());
    List<String> propagators = List.copyOf(java.getPropagators());
    Map<String, String> attributes = Map.copyOf(java.getResourceAttributes());
    List<JsonNode> extraEnv =
        java.getEnv().stream().map(e -> (JsonNode) JSON.valueToTree(e)).toList();
    JsonNode initResources =
        java.getResources() == null ? null : JSON.valueToTree(java.getResources());
    String hash =
        hash(
            agent,
            String.valueOf(java.getMode()),
            // Detection joins the hash only when off, so the default leaves existing hashes (and
            // the workloads instrumented with them) as they were.
            containerNames + (java.getDetection() == JvmDetectionMode.OFF ? " detection=off" : ""),
            String.valueOf(propagators),
            String.valueOf(new TreeMap<>(attributes)),
            String.valueOf(extraEnv),
            String.valueOf(initResources),
            target.endpoint(),
            target.protocol(),
            String.valueOf(target.headersSecretName()),
            sampler.restartRelevant());
    return new InjectionSettings(
        Naming.policyId(policy),
        spec.getSelector().getPodSelector(),
        policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration(),
        image,
        java.getMode(),
        containerNames,
        java.getDetection(),
        propagators,
        attributes,
        extraEnv,
        initResources,
        target.endpoint(),
        target.protocol(),
        sampler,
        target.headersSecretName(),
        hash,
        RolledBackWorkloads.of(policy, hash));
  }

  /** The same settings with these rolled-back workloads (the rollout's status of this step). */
  public InjectionSettings withRolledBack(RolledBackWorkloads workloads) {
    return new InjectionSettings(
        policyId,
        podSelector,
        generation,
        agentImage,
        mode,
        containerNames,
        detection,
        propagators,
        resourceAttributes,
        extraEnv,
        initResources,
        otlpEndpoint,
        otlpProtocol,
        sampler,
        headersSecretName,
        injectionHash,
        workloads);
  }

  private static String hash(String... parts) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(String.join("\n", parts).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
