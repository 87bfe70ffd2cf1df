package io.traceroll.operator.tempo;

import static io.traceroll.operator.tempo.TempoFixtures.keys;
import static io.traceroll.operator.tempo.TempoFixtures.render;
import static io.traceroll.operator.tempo.TempoFixtures.s3Tempo;
import static io.traceroll.operator.tempo.TempoFixtures.tempoWith;
import static io.traceroll.operator.tempo.TempoFixtures.textValues;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Where tempo.yaml keeps the blocks, and how S3 credentials reach Tempo without being written. */
class TempoConfigStorageTest {

  @ParameterizedTest
  @EnumSource(
      value = StorageType.class,
      names = {"PV", "MEMORY"})
  void volumeAndMemoryStorageKeepBlocksOnTheLocalDisk(StorageType type) throws Exception {
    TempoBackend tempo = tempoWith(type);
    JsonNode trace = render(tempo).at("/storage/trace");

    assertThat(keys(trace)).containsExactlyInAnyOrder("backend", "local", "wal");
    assertThat(trace.get("backend").asText()).isEqualTo("local");
    assertThat(trace.at("/local/path").asText()).isEqualTo("/var/tempo/blocks");
    assertThat(trace.at("/wal/path").asText()).isEqualTo("/var/tempo/wal");
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isFalse();
  }

  @Test
  void s3StorageReferencesCredentialsOnlyThroughTheEnvironment() throws Exception {
    TempoBackend tempo = s3Tempo();
    JsonNode trace = render(tempo).at("/storage/trace");

    assertThat(trace.at("/backend").asText()).isEqualTo("s3");
    assertThat(trace.at("/s3/bucket").asText()).isEqualTo("traces");
    assertThat(trace.at("/s3/endpoint").asText()).isEqualTo("minio.storage:9000");
    assertThat(trace.at("/s3/region").asText()).isEqualTo("eu-west-1");
    assertThat(trace.at("/s3/insecure").asBoolean()).isTrue();
    assertThat(trace.at("/s3/access_key").asText()).isEqualTo("${S3_ACCESS_KEY_ID}");
    assertThat(trace.at("/s3/secret_key").asText()).isEqualTo("${S3_SECRET_ACCESS_KEY}");
    assertThat(trace.has("local")).isFalse();
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempo)).isTrue();
    assertThat(TempoConfigRenderer.needsEnvExpansion(new TempoBackend())).isFalse();
  }

  @Test
  void s3StorageRendersBucketEndpointRegionAndInsecure() throws Exception {
    JsonNode trace = render(s3Tempo()).at("/storage/trace");

    assertThat(keys(trace)).containsExactlyInAnyOrder("backend", "s3", "wal");
    assertThat(keys(trace.get("s3")))
        .containsExactlyInAnyOrder(
            "bucket", "endpoint", "region", "insecure", "access_key", "secret_key");
    assertThat(trace.at("/s3/insecure").isBoolean()).isTrue();
  }

  @Test
  void s3WithoutARegionOmitsItAndUsesTheDefaultEndpointSecurely() throws Exception {
    TempoBackend tempo = s3Tempo();
    S3Storage s3 = tempo.getStorage().getS3();
    s3.setRegion(null);
    s3.setInsecure(false);
    s3.setEndpoint(new S3Storage().getEndpoint());
    JsonNode s3Config = render(tempo).at("/storage/trace/s3");

    assertThat(s3Config.has("region")).isFalse();
    assertThat(s3Config.get("endpoint").asText()).isEqualTo("s3.amazonaws.com");
    assertThat(s3Config.get("insecure").isBoolean()).isTrue();
    assertThat(s3Config.get("insecure").booleanValue()).isFalse();
  }

  @Test
  void s3CredentialsAreNeverWrittenLiterally() throws Exception {
    TempoBackend tempo = s3Tempo();
    SecretKeys keys = tempo.getStorage().getS3().getCredentialsSecret();
    keys.setName("tempo-s3-creds");
    keys.setAccessKeyIdKey("my-access-key-id");
    keys.setSecretAccessKeyKey("my-secret-access-key");
    JsonNode config = render(tempo);

    assertThat(config.at("/storage/trace/s3/access_key").asText()).isEqualTo("${S3_ACCESS_KEY_ID}");
    assertThat(config.at("/storage/trace/s3/secret_key").asText())
        .isEqualTo("${S3_SECRET_ACCESS_KEY}");
    assertThat(textValues(config))
        .doesNotContain("tempo-s3-creds", "my-access-key-id", "my-secret-access-key");
  }

  @Test
  void s3ValuesThatLookLikeNumbersOrBooleansKeepTheirText() throws Exception {
    TempoBackend tempo = s3Tempo();
    tempo.getStorage().getS3().setBucket("2024");
    tempo.getStorage().getS3().setRegion("no");
    JsonNode s3Config = render(tempo).at("/storage/trace/s3");

    // A numeric-looking bucket may be a plain scalar (Go's YAML decodes it into a string field
    // as written); a YAML 1.1 boolean word must be quoted or it would read back as false.
    assertThat(s3Config.get("bucket").asText()).isEqualTo("2024");
    assertThat(s3Config.get("region").isTextual()).isTrue();
    assertThat(s3Config.get("region").textValue()).isEqualTo("no");
  }

  @ParameterizedTest
  @EnumSource(StorageType.class)
  void onlyS3NeedsEnvironmentExpansion(StorageType type) {
    assertThat(TempoConfigRenderer.needsEnvExpansion(tempoWith(type)))
        .isEqualTo(type == StorageType.S3);
  }
}
