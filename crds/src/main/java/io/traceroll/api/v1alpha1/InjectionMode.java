package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the agent jar reaches the application container. */
public enum InjectionMode {
  /** An init container copies the agent into an emptyDir. Works on every cluster. */
  @JsonProperty("initContainer")
  INIT_CONTAINER,
  /** The agent image is mounted as an image volume (needs the ImageVolume feature). */
  @JsonProperty("imageVolume")
  IMAGE_VOLUME
}
