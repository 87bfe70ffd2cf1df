package io.traceroll.policy;

import io.traceroll.api.v1alpha1.Durations;
import io.traceroll.api.v1alpha1.Sampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Jaeger remote sampler injected agents run: they poll the operator for the policy's
 * strategies, so a sampling change reaches running pods without a restart. Each policy has its own
 * address (a Service named after it in its namespace), which tells the operator's sampling server
 * whose strategies to answer with, since an agent's request names only its service.
 *
 * @param endpoint the gRPC endpoint agents poll
 * @param pollingIntervalMs how often they poll
 * @param initialSamplingRate the ratio agents use until their first answer (the policy's default)
 * @param parentBased whether a caller's sampling decision is followed
 */
public record RemoteSampler(
    String endpoint, long pollingIntervalMs, double initialSamplingRate, boolean parentBased) {
  /** Jaeger's conventional remote-sampling ports: gRPC and HTTP. */
  public static final int GRPC_PORT = 14250;

  public static final int HTTP_PORT = 5778;

  public static final String SAMPLER_VAR = "OTEL_TRACES_SAMPLER";
  public static final String SAMPLER_ARG_VAR = "OTEL_TRACES_SAMPLER_ARG";

  public static RemoteSampler of(TracingPolicy policy) {
    Sampling sampling = policy.getSpec().getSampling();
    return new RemoteSampler(
        "http://" + Naming.serviceHost(policy, Naming.samplingService(policy)) + ":" + GRPC_PORT,
        Durations.parse(sampling.getRemote().getPollInterval()).toMillis(),
        sampling.getDefaultSampling().getRatio(),
        sampling.isParentBased());
  }

  /** The sampler's name in OTEL_TRACES_SAMPLER. */
  public String samplerName() {
    return parentBased ? "parentbased_jaeger_remote" : "jaeger_remote";
  }

  /** OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG for the agent. */
  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(SAMPLER_VAR, samplerName());
    env.put(
        SAMPLER_ARG_VAR,
        String.format(
            Locale.ROOT,
            "endpoint=%s,pollingIntervalMs=%d,initialSamplingRate=%s",
            endpoint,
            pollingIntervalMs,
            initialSamplingRate));
    return env;
  }

  /**
   * What a change of needs a restart: everything but the initial rate, which only bridges the time
   * until the first poll.
   */
  String restartRelevant() {
    return samplerName() + " " + endpoint + " " + pollingIntervalMs;
  }
}
