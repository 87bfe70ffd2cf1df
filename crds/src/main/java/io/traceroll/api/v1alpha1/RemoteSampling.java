package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** How often injected agents poll the operator for sampling strategies. */
public class RemoteSampling {
  @Default("30s")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Agent polling interval for sampling changes, e.g. 30s.")
  private String pollInterval = "30s";

  public String getPollInterval() {
    return pollInterval;
  }

  public void setPollInterval(String pollInterval) {
    this.pollInterval = pollInterval;
  }
}
