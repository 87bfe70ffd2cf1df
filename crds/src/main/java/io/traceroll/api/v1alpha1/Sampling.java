package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** Head sampling: a default ratio, overridden per service and per operation. */
@ValidationRule(
    value =
        "!has(self.services) || self.services.all(s, self.services.exists_one(t, t.service == s.service))",
    message = "sampling.services must name each service at most once")
public class Sampling {
  @JsonProperty("default")
  @JsonPropertyDescription("Sampling for services not listed in services. Defaults to ratio 1.0.")
  private DefaultSampling defaultSampling = new DefaultSampling();

  @Default("true")
  @JsonPropertyDescription(
      "Follow the caller's sampling decision when a request carries one (parent-based sampling).")
  private boolean parentBased = true;

  @Size(max = 64)
  @JsonPropertyDescription("Per-service sampling, overriding the default.")
  private List<ServiceSampling> services = new ArrayList<>();

  @JsonPropertyDescription("How injected agents fetch sampling from the operator at run time.")
  private RemoteSampling remote = new RemoteSampling();

  @JsonPropertyDescription(
      "Tail sampling: when set, a collector gateway (one replica) runs in the policy's namespace,"
          + " agents export to it, and it keeps traces with errors, slow traces and a share of"
          + " the rest before forwarding them to the backend. Set default.ratio to 1.0 so the"
          + " gateway sees every trace.")
  private TailSampling tail;

  public DefaultSampling getDefaultSampling() {
    return defaultSampling;
  }

  public void setDefaultSampling(DefaultSampling defaultSampling) {
    this.defaultSampling = defaultSampling;
  }

  public boolean isParentBased() {
    return parentBased;
  }

  public void setParentBased(boolean parentBased) {
    this.parentBased = parentBased;
  }

  public List<ServiceSampling> getServices() {
    return services;
  }

  public void setServices(List<ServiceSampling> services) {
    this.services = services;
  }

  public RemoteSampling getRemote() {
    return remote;
  }

  public void setRemote(RemoteSampling remote) {
    this.remote = remote;
  }

  public TailSampling getTail() {
    return tail;
  }

  public void setTail(TailSampling tail) {
    this.tail = tail;
  }
}
