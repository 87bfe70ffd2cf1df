package io.traceroll.operator;

import io.traceroll.api.v1alpha1.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, read from environment variables (the Deployment sets them; out of
 * cluster the defaults work).
 *
 * @param namespace TRACEROLL_NAMESPACE: the operator's own namespace, never instrumented and home
 *     of the leader-election Lease. Defaults to the pod's namespace, else traceroll-system.
 * @param watchNamespaces TRACEROLL_WATCH_NAMESPACES: comma-separated namespaces whose policies are
 *     reconciled; empty means all.
 * @param leaderElection TRACEROLL_LEADER_ELECTION: only one replica reconciles (default true).
 * @param healthPort TRACEROLL_HEALTH_PORT: port of /healthz, /readyz and /metrics (default 8081).
 * @param recheckInterval TRACEROLL_RECHECK_INTERVAL: how soon a policy blocked by a missing
 *     reference (e.g. a Secret) is checked again (default 30s).
 * @param sampling where the sampling server listens and how agents reach it
 */
public record OperatorConfig(
    String namespace,
    Set<String> watchNamespaces,
    boolean leaderElection,
    int healthPort,
    Duration recheckInterval,
    Sampling sampling) {

  /**
   * The remote-sampling server.
   *
   * @param grpcPort TRACEROLL_SAMPLING_GRPC_PORT (default 14250)
   * @param httpPort TRACEROLL_SAMPLING_HTTP_PORT (default 5778)
   * @param serviceHost the fully qualified name of the Service in front of the operator's sampling
   *     ports, which each policy's sampling Service points at: TRACEROLL_SAMPLING_SERVICE (default
   *     traceroll-sampling) in the operator's namespace, in TRACEROLL_CLUSTER_DOMAIN (default: the
   *     domain in /etc/resolv.conf, else cluster.local)
   */
  public record Sampling(int grpcPort, int httpPort, String serviceHost) {}

  static final Path IN_CLUSTER_NAMESPACE =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    return new OperatorConfig(
        env.getOrDefault("TRACEROLL_NAMESPACE", podNamespace()),
        Arrays.stream(env.getOrDefault("TRACEROLL_WATCH_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        Boolean.parseBoolean(env.getOrDefault("TRACEROLL_LEADER_ELECTION", "true")),
        Integer.parseInt(env.getOrDefault("TRACEROLL_HEALTH_PORT", "8081")),
        Durations.parse(env.getOrDefault("TRACEROLL_RECHECK_INTERVAL", "30s")),
        sampling(env));
  }

  private static Sampling sampling(Map<String, String> env) {
    String namespace = env.getOrDefault("TRACEROLL_NAMESPACE", podNamespace());
    String domain = env.getOrDefault("TRACEROLL_CLUSTER_DOMAIN", clusterDomain(RESOLV_CONF));
    return new Sampling(
        Integer.parseInt(env.getOrDefault("TRACEROLL_SAMPLING_GRPC_PORT", "14250")),
        Integer.parseInt(env.getOrDefault("TRACEROLL_SAMPLING_HTTP_PORT", "5778")),
        env.getOrDefault("TRACEROLL_SAMPLING_SERVICE", "traceroll-sampling")
            + "."
            + namespace
            + ".svc."
            + domain);
  }

  static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  /** The cluster domain from a pod's resolver search list ({@code <ns>.svc.<domain>}). */
  static String clusterDomain(Path resolvConf) {
    try {
      if (Files.isReadable(resolvConf)) {
        for (String line : Files.readAllLines(resolvConf)) {
          if (line.startsWith("search ")) {
            for (String domain : line.substring(7).trim().split("\\s+")) {
              if (domain.startsWith("svc.")) {
                return domain.substring(4);
              }
            }
          }
        }
      }
    } catch (IOException e) {
      // fall through to the default
    }
    return "cluster.local";
  }

  private static String podNamespace() {
    try {
      return Files.isReadable(IN_CLUSTER_NAMESPACE)
          ? Files.readString(IN_CLUSTER_NAMESPACE).trim()
          : "traceroll-system";
    } catch (IOException e) {
      return "traceroll-system";
    }
  }
}
