package io.traceroll.operator.tempo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.traceroll.api.v1alpha1.MetricsGenerator;
import io.traceroll.api.v1alpha1.MetricsProcessor;
import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.api.v1alpha1.S3Storage;
import io.traceroll.api.v1alpha1.StorageType;
import io.traceroll.api.v1alpha1.TempoBackend;
import io.traceroll.api.v1alpha1.TracingPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders Tempo's monolithic-mode tempo.yaml from a policy's Tempo backend. Tempo parses its config
 * strictly (an unknown key stops it), so only keys of the pinned Tempo release are written.
 */
public final class TempoConfigRenderer {
  /** Where the Tempo container keeps its WAL, blocks and generator state. */
  public static final String DATA_DIR = "/var/tempo";

  /** Where the metrics generator keeps its Prometheus WAL: on the data volume, never the image. */
  public static final String GENERATOR_WAL_DIR = DATA_DIR + "/generator/wal";

  /** Where the remote-write basic-auth Secret is mounted, one file per value. */
  public static final String REMOTE_WRITE_AUTH_DIR = "/var/run/traceroll/remote-write";

  public static final String USERNAME_FILE = "username";
  public static final String PASSWORD_FILE = "password";

  /**
   * Resource attributes added as labels to span metrics and service graphs. Injected agents always
   * set the namespace, and a service name alone may repeat across namespaces.
   */
  public static final List<String> GENERATOR_DIMENSIONS = List.of("k8s.namespace.name");

  /** Environment variables that carry S3 credentials into the config (-config.expand-env). */
  public static final String S3_ACCESS_KEY_ENV = "S3_ACCESS_KEY_ID";

  public static final String S3_SECRET_KEY_ENV = "S3_SECRET_ACCESS_KEY";

  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private TempoConfigRenderer() {}

  public static String render(TracingPolicy policy) {
    return render(
        policy.getSpec().getBackend().getTempo(),
        policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName());
  }

  /**
   * @param policyId {@code <namespace>/<name>} of the policy, labelled on generated series
   */
  public static String render(TempoBackend tempo, String policyId) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("stream_over_http_enabled", true);
    root.put(
        "server",
        map("http_listen_port", TempoPorts.HTTP, "grpc_listen_port", TempoPorts.GRPC_INTERNAL));
    root.put("distributor", map("receivers", receivers(tempo.getReceivers())));
    root.put("ingester", map("max_block_duration", "5m"));
    root.put("compactor", map("compaction", map("block_retention", tempo.getRetention())));
    root.put("storage", map("trace", traceStorage(tempo)));
    if (tempo.getMetricsGenerator() != null) {
      root.put("metrics_generator", metricsGenerator(tempo.getMetricsGenerator(), policyId));
      root.put(
          "overrides",
          map(
              "defaults",
              map(
                  "metrics_generator",
                  map("processors", processorNames(tempo.getMetricsGenerator())))));
    }
    root.put("usage_report", map("reporting_enabled", false));
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render tempo.yaml", e);
    }
  }

  /** Whether Tempo must expand ${VAR} references (S3 credentials come from the environment). */
  public static boolean needsEnvExpansion(TempoBackend tempo) {
    return tempo.getStorage().getType() == StorageType.S3;
  }

  private static Map<String, Object> receivers(List<Receiver> receivers) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> otlp = new LinkedHashMap<>();
    if (receivers.contains(Receiver.OTLP_GRPC)) {
      otlp.put("grpc", endpoint(TempoPorts.OTLP_GRPC));
    }
    if (receivers.contains(Receiver.OTLP_HTTP)) {
      otlp.put("http", endpoint(TempoPorts.OTLP_HTTP));
    }
    if (!otlp.isEmpty()) {
      out.put("otlp", map("protocols", otlp));
    }
    if (receivers.contains(Receiver.JAEGER)) {
      out.put(
          "jaeger",
          map(
              "protocols",
              map(
                  "thrift_http", endpoint(TempoPorts.JAEGER_THRIFT_HTTP),
                  "grpc", endpoint(TempoPorts.JAEGER_GRPC))));
    }
    if (receivers.contains(Receiver.ZIPKIN)) {
      out.put("zipkin", endpoint(TempoPorts.ZIPKIN));
    }
    return out;
  }

  private static Map<String, Object> endpoint(int port) {
    return map("endpoint", "0.0.0.0:" + port);
  }

  private static Map<String, Object> traceStorage(TempoBackend tempo) {
    Map<String, Object> trace = new LinkedHashMap<>();
    trace.put("wal", map("path", DATA_DIR + "/wal"));
    if (tempo.getStorage().getType() == StorageType.S3) {
      S3Storage s3 = tempo.getStorage().getS3();
      Map<String, Object> s3Config = new LinkedHashMap<>();
      s3Config.put("bucket", s3.getBucket());
      s3Config.put("endpoint", s3.getEndpoint());
      if (s3.getRegion() != null) {
        s3Config.put("region", s3.getRegion());
      }
      s3Config.put("insecure", s3.isInsecure());
      s3Config.put("access_key", "${" + S3_ACCESS_KEY_ENV + "}");
      s3Config.put("secret_key", "${" + S3_SECRET_KEY_ENV + "}");
      trace.put("backend", "s3");
      trace.put("s3", s3Config);
    } else {
      trace.put("backend", "local");
      trace.put("local", map("path", DATA_DIR + "/blocks"));
    }
    return trace;
  }

  /**
   * The generator of a single binary: its ring in memory (no memberlist peers to find), its WAL on
   * the data volume, and one remote write to the user's Prometheus.
   */
  private static Map<String, Object> metricsGenerator(MetricsGenerator generator, String policyId) {
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("source", "tempo");
    labels.put("traceroll_policy", policyId);
    if (generator.getExternalLabels() != null) {
      new TreeMap<>(generator.getExternalLabels()).forEach(labels::put);
    }
    return map(
        "ring",
        map("kvstore", map("store", "inmemory")),
        "processor",
        map(
            "service_graphs",
            map("dimensions", GENERATOR_DIMENSIONS),
            "span_metrics",
            map("dimensions", GENERATOR_DIMENSIONS)),
        "registry",
        map("external_labels", labels),
        "storage",
        map("path", GENERATOR_WAL_DIR, "remote_write", List.of(remoteWrite(generator))));
  }

  /** A Prometheus remote_write entry; credentials are read from the mounted Secret's files. */
  private static Map<String, Object> remoteWrite(MetricsGenerator generator) {
    Map<String, Object> remoteWrite = new LinkedHashMap<>();
    remoteWrite.put("url", generator.getRemoteWriteUrl());
    remoteWrite.put("send_exemplars", generator.isExemplars());
    if (generator.getBasicAuthSecret() != null) {
      remoteWrite.put(
          "basic_auth",
          map(
              "username_file", REMOTE_WRITE_AUTH_DIR + "/" + USERNAME_FILE,
              "password_file", REMOTE_WRITE_AUTH_DIR + "/" + PASSWORD_FILE));
    }
    return remoteWrite;
  }

  private static List<String> processorNames(MetricsGenerator generator) {
    return generator.getProcessors().stream()
        .map(p -> p == MetricsProcessor.SERVICE_GRAPHS ? "service-graphs" : "span-metrics")
        .toList();
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
