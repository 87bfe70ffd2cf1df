package io.traceroll.operator.sampling;

import java.net.InetAddress;

/** Told of every agent the sampling server answers: where it called from, for which service. */
@FunctionalInterface
public interface AgentSightings {
  AgentSightings NONE = (address, service) -> {};

  void seen(InetAddress address, String service);
}
