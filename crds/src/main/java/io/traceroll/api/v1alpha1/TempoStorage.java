package io.traceroll.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Tempo's block storage: memory (emptyDir), a persistent volume, or S3. */
@ValidationRule(
    value = "self.type != 's3' || has(self.s3)",
    message = "storage.type s3 needs storage.s3 with a bucket",
    fieldPath = ".s3")
@ValidationRule(
    value = "self.type == 's3' || !has(self.s3)",
    message = "storage.s3 is only allowed with storage.type s3",
    fieldPath = ".s3")
@ValidationRule(
    value = "self.type == 'pv' || (!has(self.size) && !has(self.storageClassName))",
    message = "storage.size and storage.storageClassName are only allowed with storage.type pv")
public class TempoStorage {
  @Default("pv")
  @JsonPropertyDescription(
      "memory (emptyDir, lost on restart), pv (a PersistentVolumeClaim) or s3 (object store).")
  private StorageType type = StorageType.PV;

  @JsonPropertyDescription("Size of the persistent volume (type pv). Defaults to 10Gi.")
  private Quantity size;

  @JsonPropertyDescription(
      "StorageClass of the persistent volume (type pv); cluster default if unset.")
  private String storageClassName;

  @JsonPropertyDescription("S3 bucket and credentials (type s3).")
  private S3Storage s3;

  /** The volume size, defaulted. */
  public Quantity effectiveSize() {
    return size != null ? size : new Quantity("10Gi");
  }

  public StorageType getType() {
    return type;
  }

  public void setType(StorageType type) {
    this.type = type;
  }

  public Quantity getSize() {
    return size;
  }

  public void setSize(Quantity size) {
    this.size = size;
  }

  public String getStorageClassName() {
    return storageClassName;
  }

  public void setStorageClassName(String storageClassName) {
    this.storageClassName = storageClassName;
  }

  public S3Storage getS3() {
    return s3;
  }

  public void setS3(S3Storage s3) {
    this.s3 = s3;
  }
}
