package io.traceroll.operator.sampling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.traceroll.api.v1alpha1.OperationSampling;
import io.traceroll.api.v1alpha1.Sampling;
import io.traceroll.api.v1alpha1.ServiceSampling;
import java.util.List;

/**
 * Renders a policy's sampling as Jaeger sampling strategies JSON (the file format of Jaeger's
 * remote sampler).
 */
public final class SamplingStrategies {
  public static final String PROBABILISTIC = "probabilistic";
  public static final String RATE_LIMITING = "ratelimiting";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SamplingStrategies() {}

  /** The strategies document: default strategy plus one entry per listed service. */
  public static String renderJson(Sampling sampling) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode defaults = root.putObject("default_strategy");
    defaults.put("type", PROBABILISTIC);
    defaults.put("param", sampling.getDefaultSampling().getRatio());
    ArrayNode services = root.putArray("service_strategies");
    for (ServiceSampling service : sampling.getServices()) {
      ObjectNode node = services.addObject();
      node.put("service", service.getService());
      if (service.getMaxTracesPerSecond() != null) {
        node.put("type", RATE_LIMITING);
        node.put("param", service.getMaxTracesPerSecond());
      } else {
        node.put("type", PROBABILISTIC);
        node.put("param", service.getRatio() == null ? 1.0 : service.getRatio());
      }
      List<OperationSampling> operations = service.getOperations();
      if (operations != null && !operations.isEmpty()) {
        ArrayNode ops = node.putArray("operation_strategies");
        for (OperationSampling op : operations) {
          ObjectNode opNode = ops.addObject();
          opNode.put("operation", op.getName());
          opNode.put("type", PROBABILISTIC);
          opNode.put("param", op.getRatio());
        }
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render sampling strategies", e);
    }
  }
}
