package io.traceroll.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.traceroll.api.v1alpha1.Backend;
import io.traceroll.api.v1alpha1.OtlpEndpointBackend;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.api.v1alpha1.TracingPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Policies, namespaces, label selectors and pod JSON built in memory for the tests of every module
 * (published in this module's test jar).
 */
public final class TestPolicies {
  public static final String CREATED = "2026-01-01T00:00:00Z";
  public static final ObjectMapper JSON = new ObjectMapper();

  private TestPolicies() {}

  /**
   * What the image probe would record had it found a JVM in each of these images: for tests of what
   * follows the detection (the mutation, the rollout), whose pods' images name no runtime.
   */
  public static ImageVerdicts jvmImages(Iterable<String> images) {
    Map<String, String> data = new java.util.HashMap<>();
    for (String image : images) {
      if (image != null && !image.isBlank()) {
        data.put(
            ImageVerdicts.key(image),
            ImageVerdicts.value(
                new ImageVerdicts.Entry(
                    image, JvmDetection.Verdict.JVM, "test: a JVM", null, CREATED)));
      }
    }
    return ImageVerdicts.of(data);
  }

  /** {@link #jvmImages(Iterable)} of every container image of the pod, init containers too. */
  public static ImageVerdicts jvmImages(PodView pod) {
    List<String> images = new ArrayList<>();
    pod.initContainers().forEach(c -> images.add(c.image()));
    pod.containers().forEach(c -> images.add(c.image()));
    return jvmImages(images);
  }

  /**
   * A policy exporting to {@code http://collector.obs.svc:4317}, generation 3, default ratio 0.25.
   */
  public static TracingPolicy policy(String namespace, String name) {
    TracingPolicy policy = otlpPolicy(namespace, name, CREATED);
    policy.getSpec().getBackend().getOtlpEndpoint().setEndpoint("http://collector.obs.svc:4317");
    policy.getMetadata().setUid(namespace + "-" + name);
    policy.getMetadata().setGeneration(3L);
    policy.getMetadata().setResourceVersion("1");
    policy.getSpec().getSampling().getDefaultSampling().setRatio(0.25);
    return policy;
  }

  /** The settings of {@link #policy} obs/default. */
  public static InjectionSettings settings() {
    return InjectionSettings.of(policy("obs", "default"));
  }

  /** A policy exporting to an external OTLP endpoint, created at the given instant. */
  public static TracingPolicy otlpPolicy(String namespace, String name, String createdAt) {
    TracingPolicy policy = bare(namespace, name, createdAt);
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint("http://otel-collector.observability.svc:4317");
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    policy.getSpec().setBackend(backend);
    return policy;
  }

  /** A policy running its own Tempo (endpoint {@code http://<name>-tempo.<ns>.svc:4317}). */
  public static TracingPolicy tempoPolicy(String namespace, String name, String createdAt) {
    TracingPolicy policy = bare(namespace, name, createdAt);
    Backend backend = new Backend();
    backend.setTempo(new TempoBackend());
    policy.getSpec().setBackend(backend);
    return policy;
  }

  public static Namespace namespace(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  /** A selector of one matchExpressions requirement. */
  public static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder()
        .addToMatchExpressions(requirement(key, operator, values))
        .build();
  }

  public static LabelSelectorRequirement requirement(
      String key, String operator, String... values) {
    return new LabelSelectorRequirementBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .build();
  }

  /** JSON written with single quotes, for short inline pods. */
  public static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) JSON.readTree(singleQuoted.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static TracingPolicy bare(String namespace, String name, String createdAt) {
    TracingPolicy policy = new TracingPolicy();
    policy.setSpec(new TracingPolicySpec());
    policy.getMetadata().setNamespace(namespace);
    policy.getMetadata().setName(name);
    policy.getMetadata().setUid("uid-" + namespace + "-" + name);
    policy.getMetadata().setGeneration(7L);
    policy.getMetadata().setResourceVersion("100");
    policy.getMetadata().setCreationTimestamp(createdAt);
    return policy;
  }

  /** obs/default with a tail-sampling gateway in front of its own Tempo (these receivers). */
  public static TracingPolicy tailSampledTempo(Receiver... receivers) {
    TempoBackend tempo = new TempoBackend();
    if (receivers.length > 0) {
      tempo.setReceivers(new ArrayList<>(List.of(receivers)));
    }
    Backend backend = new Backend();
    backend.setTempo(tempo);
    return tailSampled(backend);
  }

  /** obs/default with a tail-sampling gateway in front of an external OTLP endpoint. */
  public static TracingPolicy tailSampledOtlp(
      String endpoint, OtlpProtocol protocol, String headersSecret) {
    OtlpEndpointBackend otlp = new OtlpEndpointBackend();
    otlp.setEndpoint(endpoint);
    otlp.setProtocol(protocol);
    otlp.setHeadersSecretName(headersSecret);
    Backend backend = new Backend();
    backend.setOtlpEndpoint(otlp);
    return tailSampled(backend);
  }

  private static TracingPolicy tailSampled(Backend backend) {
    TracingPolicy policy = new TracingPolicy();
    policy.getMetadata().setName("default");
    policy.getMetadata().setNamespace("obs");
    policy.setSpec(new TracingPolicySpec());
    policy.getSpec().setBackend(backend);
    policy.getSpec().getSampling().setTail(new TailSampling());
    return policy;
  }
}
