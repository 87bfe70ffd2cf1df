package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.traceroll.api.Traceroll;

/**
 * Tail sampling in a collector gateway between the agents and the backend: head sampling in an
 * agent decides before a trace has ended, so it cannot keep every trace with an error.
 */
@ValidationRule(
    value = "duration(self.decisionWait) >= duration('1s')",
    message = "tail.decisionWait must be at least 1s",
    fieldPath = ".decisionWait")
@ValidationRule(
    value = "!has(self.latencyThreshold) || duration(self.latencyThreshold) > duration('0s')",
    message = "tail.latencyThreshold must be above 0: 0 would keep every trace",
    fieldPath = ".latencyThreshold")
public class TailSampling {
  @Default(Traceroll.DEFAULT_GATEWAY_IMAGE)
  @JsonPropertyDescription(
      "Image of the gateway: an OpenTelemetry Collector build with the tail_sampling processor,"
          + " such as the contrib distribution.")
  private String image = Traceroll.DEFAULT_GATEWAY_IMAGE;

  @Default("true")
  @JsonPropertyDescription("Keep every trace that has a span with status ERROR.")
  private boolean keepErrors = true;

  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "Keep every trace that lasts longer than this, e.g. 2s (from its first span's start to its"
          + " last span's end). Unset: no latency rule.")
  private String latencyThreshold;

  @Default("0.1")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription(
      "Share of the other traces kept (neither an error nor slow), from 0.0 to 1.0, chosen by"
          + " trace id.")
  private double ratio = 0.1;

  @Default("10s")
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription(
      "How long the gateway waits after a trace's first span before deciding; spans arriving"
          + " later are decided alone. At least 1s.")
  private String decisionWait = "10s";

  @Default("50000")
  @Min(1)
  @JsonPropertyDescription(
      "How many traces the gateway holds in memory while waiting; beyond it the oldest are"
          + " decided early. Size the memory limit for it.")
  private int numTraces = 50000;

  @JsonPropertyDescription(
      "CPU and memory for the gateway container. The gateway always runs one replica: tail"
          + " sampling needs every span of a trace on the same instance.")
  private ResourceRequirements resources;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public boolean isKeepErrors() {
    return keepErrors;
  }

  public void setKeepErrors(boolean keepErrors) {
    this.keepErrors = keepErrors;
  }

  public String getLatencyThreshold() {
    return latencyThreshold;
  }

  public void setLatencyThreshold(String latencyThreshold) {
    this.latencyThreshold = latencyThreshold;
  }

  public double getRatio() {
    return ratio;
  }

  public void setRatio(double ratio) {
    this.ratio = ratio;
  }

  public String getDecisionWait() {
    return decisionWait;
  }

  public void setDecisionWait(String decisionWait) {
    this.decisionWait = decisionWait;
  }

  public int getNumTraces() {
    return numTraces;
  }

  public void setNumTraces(int numTraces) {
    this.numTraces = numTraces;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
