package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.traceroll.api.Traceroll;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the webhook injects into the containers a policy selects: the agent, through an init
 * container or an image volume, and the OTEL_* environment.
 */
public class JavaInjection {
  @JsonPropertyDescription(
      "Image holding the OpenTelemetry Java agent at /javaagent.jar. Unset: the agent this"
          + " operator release bundles ("
          + Traceroll.AGENT_VERSION
          + " in the autoinstrumentation-java image), which follows operator upgrades as"
          + " agentUpgrade says. Set: pinned; changing it restarts the instrumented workloads.")
  private String image;

  @Default("OnNextRestart")
  @JsonPropertyDescription(
      "When the operator is upgraded to a newer bundled agent (image unset): OnNextRestart"
          + " restarts nothing, pods get the new agent when they restart for other reasons;"
          + " Rollout restarts every instrumented workload through the rollout (staged, health"
          + " gated, rolled back on failure).")
  private AgentUpgrade agentUpgrade = AgentUpgrade.OnNextRestart;

  @JsonPropertyDescription(
      "Context propagators (OTEL_PROPAGATORS). Defaults to [tracecontext, baggage].")
  private List<String> propagators = new ArrayList<>(List.of("tracecontext", "baggage"));

  @JsonPropertyDescription("Extra resource attributes for every instrumented pod.")
  private Map<String, String> resourceAttributes = new LinkedHashMap<>();

  @JsonPropertyDescription("Extra environment variables for instrumented containers.")
  private List<EnvVar> env = new ArrayList<>();

  @JsonPropertyDescription(
      "CPU and memory for the agent init container. Default: the first instrumented container's"
          + " own requests and limits, so the pod passes the same LimitRanges and uses the same"
          + " quota as without the agent.")
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Containers to instrument. Defaults to the application containers that run a JVM (see"
          + " detection; known sidecars such as istio-proxy are skipped); a pod annotation"
          + " traceroll.io/container-names overrides it.")
  private List<String> containerNames = new ArrayList<>();

  @Default("auto")
  @JsonPropertyDescription(
      "auto: of the containers no name selects, only those that run a JVM get the agent, judged"
          + " from their command, environment and image name, else by the image probe (the"
          + " operator runs the image once, locked down, on a node that holds it); containers"
          + " known to run something else (databases, proxies, Go, Node.js, Python, .NET) never,"
          + " an image not yet known waits for the probe, and a workload with no JVM is never"
          + " restarted. off: every application container.")
  private JvmDetectionMode detection = JvmDetectionMode.AUTO;

  @Default("initContainer")
  @JsonPropertyDescription(
      "initContainer copies the agent into an emptyDir; imageVolume mounts the agent image"
          + " directly (needs image volume support in the cluster).")
  private InjectionMode mode = InjectionMode.INIT_CONTAINER;

  public JvmDetectionMode getDetection() {
    return detection;
  }

  public void setDetection(JvmDetectionMode detection) {
    this.detection = detection;
  }

  public String getImage() {
    return image;
  }

  /** Whether the policy names its own agent image (pinned) rather than the bundled one. */
  @JsonIgnore
  public boolean imagePinned() {
    return image != null && !image.isBlank();
  }

  /** The image pods get: the one set, else the agent this release bundles. */
  @JsonIgnore
  public String effectiveImage() {
    return imagePinned() ? image : Traceroll.DEFAULT_AGENT_IMAGE;
  }

  public AgentUpgrade getAgentUpgrade() {
    return agentUpgrade;
  }

  public void setAgentUpgrade(AgentUpgrade agentUpgrade) {
    this.agentUpgrade = agentUpgrade;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public List<String> getPropagators() {
    return propagators;
  }

  public void setPropagators(List<String> propagators) {
    this.propagators = propagators;
  }

  public Map<String, String> getResourceAttributes() {
    return resourceAttributes;
  }

  public void setResourceAttributes(Map<String, String> resourceAttributes) {
    this.resourceAttributes = resourceAttributes;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public List<String> getContainerNames() {
    return containerNames;
  }

  public void setContainerNames(List<String> containerNames) {
    this.containerNames = containerNames;
  }

  public InjectionMode getMode() {
    return mode;
  }

  public void setMode(InjectionMode mode) {
    this.mode = mode;
  }
}
