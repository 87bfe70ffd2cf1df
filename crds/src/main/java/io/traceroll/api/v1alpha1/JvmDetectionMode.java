package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which application containers get the agent when neither the pod nor the policy names them. */
public enum JvmDetectionMode {
  /**
   * Only containers that run a JVM, or may (their spec and image name say nothing either way);
   * those known to run something else (a database, a proxy, Go, Node.js, Python, .NET) never.
   */
  @JsonProperty("auto")
  AUTO,
  /** Every application container, JVM or not. */
  @JsonProperty("off")
  OFF
}
