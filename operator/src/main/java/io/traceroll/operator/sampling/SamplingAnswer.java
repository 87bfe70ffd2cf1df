package io.traceroll.operator.sampling;

import java.util.Map;

/**
 * The sampling one service is told to apply: a ratio or a rate limit, and per-operation ratios on
 * top of a ratio. Both the gRPC and the HTTP endpoint answer with it.
 *
 * @param rateLimited true for a rate limit, false for a ratio
 * @param ratio the share of traces kept (when not rate limited)
 * @param maxTracesPerSecond the limit (when rate limited)
 * @param operations span name to ratio; empty when the service has none
 */
public record SamplingAnswer(
    boolean rateLimited, double ratio, int maxTracesPerSecond, Map<String, Double> operations) {

  public static SamplingAnswer ratio(double ratio) {
    return new SamplingAnswer(false, ratio, 0, Map.of());
  }

  public static SamplingAnswer ratio(double ratio, Map<String, Double> operations) {
    return new SamplingAnswer(false, ratio, 0, Map.copyOf(operations));
  }

  public static SamplingAnswer rateLimit(int maxTracesPerSecond) {
    return new SamplingAnswer(true, 0, maxTracesPerSecond, Map.of());
  }
}
