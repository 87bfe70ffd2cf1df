package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where Tempo keeps its trace blocks. */
public enum StorageType {
  /** An emptyDir: traces are lost when the pod restarts. Tempo runs as a Deployment. */
  @JsonProperty("memory")
  MEMORY,
  /** A PersistentVolumeClaim per replica. Tempo runs as a StatefulSet. */
  @JsonProperty("pv")
  PV,
  /** An S3-compatible object store. Tempo runs as a Deployment. */
  @JsonProperty("s3")
  S3
}
