package io.traceroll.operator.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * Jaeger's sampling strategies file format as strict types: what the sampling ConfigMap holds and
 * what the sampling server reads back, so a document outside the format is refused, not guessed.
 */
public final class StrategiesFile {

  /** Strategy types of the format. */
  public enum StrategyType {
    @JsonProperty(SamplingStrategies.PROBABILISTIC)
    PROBABILISTIC,
    @JsonProperty(SamplingStrategies.RATE_LIMITING)
    RATE_LIMITING
  }

  /** Operation strategies are probabilistic only. */
  public enum OperationType {
    @JsonProperty(SamplingStrategies.PROBABILISTIC)
    PROBABILISTIC
  }

  public record Strategies(
      @JsonProperty(value = "default_strategy", required = true) DefaultStrategy defaultStrategy,
      @JsonProperty(value = "service_strategies", required = true)
          List<ServiceStrategy> serviceStrategies) {}

  public record DefaultStrategy(
      @JsonProperty(value = "type", required = true) StrategyType type,
      @JsonProperty(value = "param", required = true) double param) {}

  public record ServiceStrategy(
      @JsonProperty(value = "service", required = true) String service,
      @JsonProperty(value = "type", required = true) StrategyType type,
      @JsonProperty(value = "param", required = true) double param,
      @JsonProperty("operation_strategies") List<OperationStrategy> operationStrategies) {}

  public record OperationStrategy(
      @JsonProperty(value = "operation", required = true) String operation,
      @JsonProperty(value = "type", required = true) OperationType type,
      @JsonProperty(value = "param", required = true) double param) {}

  /** Rejects unknown keys, missing required keys, duplicates, and numbers given as strings. */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private StrategiesFile() {}

  /** Parses a strategies document, refusing anything outside the format. */
  public static Strategies parse(String json) throws JsonProcessingException {
    return STRICT.readValue(json, Strategies.class);
  }
}
