package io.traceroll.policy;

import io.traceroll.api.v1alpha1.TracingPolicy;

/**
 * The names of everything a policy owns or adds, in one place: its child objects (all in the
 * policy's namespace, named after the policy), its webhook, and what injection adds to a pod.
 */
public final class Naming {
  /** Where the webhook mounts the agent in the containers it injects (suffixed when taken). */
  public static final String AGENT_MOUNT_PATH = "/traceroll/agent";

  /** The emptyDir (or image volume) that holds the agent in an injected pod. */
  public static final String AGENT_VOLUME = "traceroll-agent";

  /** The init container that copies the agent into {@link #AGENT_VOLUME}. */
  public static final String AGENT_INIT_CONTAINER = "traceroll-agent-init";

  private static final String SAMPLING_SERVICE_SUFFIX = "-sampling";

  private Naming() {}

  /** {@code <namespace>.<name>}: how pods, the namespace label and status refer to a policy. */
  public static String policyId(TracingPolicy policy) {
    return policy.getMetadata().getNamespace() + "." + policy.getMetadata().getName();
  }

  /** Tempo's Service and its StatefulSet or Deployment. */
  public static String tempo(TracingPolicy policy) {
    return child(policy, "-tempo");
  }

  /** The ConfigMap holding tempo.yaml. */
  public static String tempoConfig(TracingPolicy policy) {
    return child(policy, "-tempo-config");
  }

  /** The ConfigMap holding the sampling strategies. */
  public static String samplingConfig(TracingPolicy policy) {
    return child(policy, "-sampling");
  }

  /** The Service agents poll for sampling (it points at the operator's sampling Service). */
  public static String samplingService(TracingPolicy policy) {
    return child(policy, SAMPLING_SERVICE_SUFFIX);
  }

  /**
   * The name of the policy whose sampling Service this is (the inverse of {@link
   * #samplingService}), or null when the name is not one.
   */
  public static String policyOfSamplingService(String service) {
    return service.endsWith(SAMPLING_SERVICE_SUFFIX)
            && service.length() > SAMPLING_SERVICE_SUFFIX.length()
        ? service.substring(0, service.length() - SAMPLING_SERVICE_SUFFIX.length())
        : null;
  }

  /** The tail-sampling gateway's Service and Deployment. */
  public static String gateway(TracingPolicy policy) {
    return child(policy, "-gateway");
  }

  /** The ConfigMap holding the gateway collector's configuration. */
  public static String gatewayConfig(TracingPolicy policy) {
    return child(policy, "-gateway-config");
  }

  /** The gateway's copy of the backend's headers, as the collector reads them. */
  public static String gatewayHeaders(TracingPolicy policy) {
    return child(policy, "-gateway-headers");
  }

  /** The Grafana data source provisioning file for the policy's Tempo. */
  public static String grafanaDatasource(TracingPolicy policy) {
    return child(policy, "-grafana-datasource");
  }

  /** The policy's webhook in the MutatingWebhookConfiguration. */
  public static String webhook(TracingPolicy policy) {
    return policy.getMetadata().getName()
        + "."
        + policy.getMetadata().getNamespace()
        + ".pods.traceroll.io";
  }

  /** A Service's in-cluster host name in the policy's namespace. */
  public static String serviceHost(TracingPolicy policy, String service) {
    return service + "." + policy.getMetadata().getNamespace() + ".svc";
  }

  private static String child(TracingPolicy policy, String suffix) {
    return policy.getMetadata().getName() + suffix;
  }
}
