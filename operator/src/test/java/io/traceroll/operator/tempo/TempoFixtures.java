package io.traceroll.operator.tempo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.traceroll.api.Traceroll;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.SecretKeys;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The Tempo specs and policies the tempo tests render, and how they read what comes out. */
final class TempoFixtures {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The policy {@link #policy} names, as tempo.yaml labels it. */
  static final String POLICY = "obs/default";

  private TempoFixtures() {}

  // --- specs ---

  /** S3 storage with every setting given and credentials from the Secret "creds". */
  static TempoBackend s3Tempo() {
    TempoBackend tempo = new TempoBackend();
    S3Storage s3 = new S3Storage();
    s3.setBucket("traces");
    s3.setEndpoint("minio.storage:9000");
    s3.setRegion("eu-west-1");
    s3.setInsecure(true);
    SecretKeys keys = new SecretKeys();
    keys.setName("creds");
    s3.setCredentialsSecret(keys);
    tempo.getStorage().setType(StorageType.S3);
    tempo.getStorage().setS3(s3);
    return tempo;
  }

  /** Storage of this type: {@link #s3Tempo} for S3, else the defaults. */
  static TempoBackend tempoWith(StorageType type) {
    TempoBackend tempo = type == StorageType.S3 ? s3Tempo() : new TempoBackend();
    tempo.getStorage().setType(type);
    return tempo;
  }

  static TempoBackend withReceivers(Receiver... receivers) {
    TempoBackend tempo = new TempoBackend();
    tempo.setReceivers(new ArrayList<>(List.of(receivers)));
    return tempo;
  }

  /** The defaults with a metrics generator that only names where to remote-write. */
  static TempoBackend withGenerator() {
    return withGenerator(new TempoBackend());
  }

  /** This Tempo with a metrics generator that only names where to remote-write. */
  static TempoBackend withGenerator(TempoBackend tempo) {
    tempo.setMetricsGenerator(generator("http://prometheus.monitoring.svc:9090/api/v1/write"));
    return tempo;
  }

  /** A metrics generator writing to the URL with these processors, or the default ones if none. */
  static MetricsGenerator generator(String remoteWriteUrl, MetricsProcessor... processors) {
    MetricsGenerator generator = new MetricsGenerator();
    generator.setRemoteWriteUrl(remoteWriteUrl);
    if (processors.length > 0) {
      generator.setProcessors(new ArrayList<>(List.of(processors)));
    }
    return generator;
  }

  /** The policy obs/default with this Tempo as its backend. */
  static TracingPolicy policy(TempoBackend tempo) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new TracingPolicySpec());
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    Backend backend = new Backend();
    backend.setTempo(tempo);
    policy.getSpec().setBackend(backend);
    return policy;
  }

  // --- tempo.yaml ---

  static JsonNode render(TempoBackend tempo) throws Exception {
    return YAML.readTree(TempoConfigRenderer.render(tempo, POLICY));
  }

  static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** Every text value anywhere in the document. */
  static List<String> textValues(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isValueNode()) {
      out.add(node.asText());
    }
    node.elements().forEachRemaining(child -> out.addAll(textValues(child)));
    return out;
  }

  // --- the pod template ---

  static Container tempoContainer(PodTemplateSpec template) {
    assertThat(template.getSpec().getContainers()).hasSize(1);
    return template.getSpec().getContainers().get(0);
  }

  static String hashAnnotation(TracingPolicy policy) {
    return TempoPodTemplate.build(policy)
        .getMetadata()
        .getAnnotations()
        .get(Traceroll.CONFIG_HASH_ANNOTATION);
  }
}
