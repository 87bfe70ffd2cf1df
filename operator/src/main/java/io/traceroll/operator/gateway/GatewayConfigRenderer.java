package io.traceroll.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.traceroll.api.v1alpha1.Durations;
import io.traceroll.api.v1alpha1.OtlpProtocol;
import io.traceroll.api.v1alpha1.TailSampling;
import io.traceroll.api.v1alpha1.TracingPolicy;
import io.traceroll.policy.OtlpTarget;
import java.math.BigDecimal;

/**
 * Renders the tail-sampling gateway's collector config from a policy: OTLP in, memory limiter, tail
 * sampling (errors, latency, a share of the rest), batch, and one exporter to the real backend.
 */
public final class GatewayConfigRenderer {
  public static final int OTLP_GRPC_PORT = OtlpTarget.OTLP_GRPC_PORT;
  public static final int OTLP_HTTP_PORT = OtlpTarget.OTLP_HTTP_PORT;

  /** Port of the health_check extension, probed by the kubelet. */
  public static final int HEALTH_PORT = 13133;

  /**
   * Environment variable holding the backend's headers as a JSON map; the collector expands it into
   * the exporter's headers, so the credentials never enter the ConfigMap.
   */
  public static final String HEADERS_ENV = "TRACEROLL_OTLP_HEADERS";

  public static final String ERRORS_POLICY = "keep-errors";
  public static final String LATENCY_POLICY = "keep-slow";
  public static final String RATIO_POLICY = "share-of-the-rest";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private GatewayConfigRenderer() {}

  /** The collector YAML for a policy whose sampling.tail is set. */
  public static String render(TracingPolicy policy) {
    TailSampling tail = policy.getSpec().getSampling().getTail();
    OtlpTarget backend = OtlpTarget.backend(policy);
    String exporter = exporterName(backend);

    ObjectNode root = NODES.objectNode();
    root.putObject("extensions")
        .putObject("health_check")
        .put("endpoint", "0.0.0.0:" + HEALTH_PORT);
    ObjectNode protocols = root.putObject("receivers").putObject("otlp").putObject("protocols");
    protocols.putObject("grpc").put("endpoint", "0.0.0.0:" + OTLP_GRPC_PORT);
    protocols.putObject("http").put("endpoint", "0.0.0.0:" + OTLP_HTTP_PORT);

    ObjectNode processors = root.putObject("processors");
    // Refuses data before the container's memory limit is reached, rather than being OOM-killed.
    processors
        .putObject("memory_limiter")
        .put("check_interval", "1s")
        .put("limit_percentage", 80)
        .put("spike_limit_percentage", 25);
    processors.set("tail_sampling", tailSampling(tail));
    processors.putObject("batch");

    root.putObject("exporters").set(exporter, exporter(backend));

    ObjectNode service = root.putObject("service");
    service.putArray("extensions").add("health_check");
    ObjectNode telemetry = service.putObject("telemetry");
    telemetry.putObject("logs").put("level", "warn");
    telemetry.putObject("metrics").put("level", "none");
    ObjectNode traces = service.putObject("pipelines").putObject("traces");
    traces.putArray("receivers").add("otlp");
    traces.putArray("processors").add("memory_limiter").add("tail_sampling").add("batch");
    traces.putArray("exporters").add(exporter);
    try {
      return YAML.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the gateway config", e);
    }
  }

  /** Whether the backend takes headers from a Secret, which the gateway must then carry. */
  public static boolean sendsHeaders(TracingPolicy policy) {
    return OtlpTarget.backend(policy).headersSecretName() != null;
  }

  /**
   * Policies are OR-ed: a trace is kept when any keeps it, so the probabilistic share applies to
   * the traces neither of the others kept.
   */
  private static ObjectNode tailSampling(TailSampling tail) {
    ObjectNode config = NODES.objectNode();
    config.put("decision_wait", tail.getDecisionWait());
    config.put("num_traces", tail.getNumTraces());
    ArrayNode policies = config.putArray("policies");
    if (tail.isKeepErrors()) {
      ObjectNode errors =
          policies.addObject().put("name", ERRORS_POLICY).put("type", "status_code");
      errors.putObject("status_code").putArray("status_codes").add("ERROR");
    }
    if (tail.getLatencyThreshold() != null) {
      ObjectNode slow = policies.addObject().put("name", LATENCY_POLICY).put("type", "latency");
      slow.putObject("latency")
          .put("threshold_ms", Durations.parse(tail.getLatencyThreshold()).toMillis());
    }
    ObjectNode rest = policies.addObject().put("name", RATIO_POLICY).put("type", "probabilistic");
    rest.putObject("probabilistic")
        .put(
            "sampling_percentage",
            BigDecimal.valueOf(tail.getRatio()).movePointRight(2).doubleValue());
    return config;
  }

  private static String exporterName(OtlpTarget backend) {
    return grpc(backend) ? "otlp/backend" : "otlphttp/backend";
  }

  private static ObjectNode exporter(OtlpTarget backend) {
    ObjectNode exporter = NODES.objectNode();
    exporter.put("endpoint", backend.endpoint());
    // gRPC would otherwise try TLS even on an http:// endpoint; for OTLP/HTTP the scheme decides.
    if (backend.endpoint().startsWith("http://")) {
      exporter.putObject("tls").put("insecure", true);
    }
    if (backend.headersSecretName() != null) {
      exporter.put("headers", "${env:" + HEADERS_ENV + "}");
    }
    return exporter;
  }

  private static boolean grpc(OtlpTarget backend) {
    return OtlpProtocol.GRPC.otelValue().equals(backend.protocol());
  }
}
