package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An S3-compatible bucket for Tempo's blocks. */
public class S3Storage {
  @Required
  @Size(min = 3, max = 63)
  @JsonPropertyDescription("Bucket name.")
  private String bucket;

  @Default("s3.amazonaws.com")
  @JsonPropertyDescription("S3 endpoint host[:port], without scheme. Defaults to s3.amazonaws.com.")
  private String endpoint = "s3.amazonaws.com";

  @JsonPropertyDescription("Bucket region.")
  private String region;

  @JsonPropertyDescription("Use plain HTTP to the endpoint (for in-cluster MinIO and the like).")
  private boolean insecure;

  @Required
  @JsonPropertyDescription(
      "Secret in the policy's namespace holding the access key id and secret access key.")
  private SecretKeys credentialsSecret;

  public String getBucket() {
    return bucket;
  }

  public void setBucket(String bucket) {
    this.bucket = bucket;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public boolean isInsecure() {
    return insecure;
  }

  public void setInsecure(boolean insecure) {
    this.insecure = insecure;
  }

  public SecretKeys getCredentialsSecret() {
    return credentialsSecret;
  }

  public void setCredentialsSecret(SecretKeys credentialsSecret) {
    this.credentialsSecret = credentialsSecret;
  }
}
