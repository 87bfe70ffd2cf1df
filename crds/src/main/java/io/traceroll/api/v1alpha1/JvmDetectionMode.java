package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which application containers get the agent when neither the pod nor the policy names them. */
public enum JvmDetectionMode {
  /**
   * Only containers that run a JVM, as their spec or the image probe tells; those known to run
   * something else (a database, a proxy, Go, Node.js, Python, .NET) never, and one whose image is
   * not known yet only once the probe finds a JVM in it.
   */
  @JsonProperty("auto")
  AUTO,
  /** Every application container, JVM or not. */
  @JsonProperty("off")
  OFF
}
