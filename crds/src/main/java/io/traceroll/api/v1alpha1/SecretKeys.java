package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the policy's namespace and the keys of its access credentials. */
public class SecretKeys {
  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of the Secret.")
  private String name;

  @Default("AWS_ACCESS_KEY_ID")
  @JsonPropertyDescription("Key holding the access key id.")
  private String accessKeyIdKey = "AWS_ACCESS_KEY_ID";

  @Default("AWS_SECRET_ACCESS_KEY")
  @JsonPropertyDescription("Key holding the secret access key.")
  private String secretAccessKeyKey = "AWS_SECRET_ACCESS_KEY";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getAccessKeyIdKey() {
    return accessKeyIdKey;
  }

  public void setAccessKeyIdKey(String accessKeyIdKey) {
    this.accessKeyIdKey = accessKeyIdKey;
  }

  public String getSecretAccessKeyKey() {
    return secretAccessKeyKey;
  }

  public void setSecretAccessKeyKey(String secretAccessKeyKey) {
    this.secretAccessKeyKey = secretAccessKeyKey;
  }
}
