package io.traceroll.operator.sampling;

import io.traceroll.operator.sampling.StrategiesFile.OperationStrategy;
import io.traceroll.operator.sampling.StrategiesFile.ServiceStrategy;
import io.traceroll.operator.sampling.StrategiesFile.Strategies;
import io.traceroll.operator.sampling.StrategiesFile.StrategyType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One policy's strategies, indexed by service, with each answer built once when the document
 * changes rather than on every poll.
 */
public final class StrategyTable {
  private final SamplingAnswer defaultAnswer;
  private final Map<String, SamplingAnswer> services;

  private StrategyTable(SamplingAnswer defaultAnswer, Map<String, SamplingAnswer> services) {
    this.defaultAnswer = defaultAnswer;
    this.services = services;
  }

  public static StrategyTable of(Strategies strategies) {
    SamplingAnswer defaults =
        answer(strategies.defaultStrategy().type(), strategies.defaultStrategy().param(), null);
    Map<String, SamplingAnswer> services = new HashMap<>();
    for (ServiceStrategy s : strategies.serviceStrategies()) {
      services.putIfAbsent(s.service(), answer(s.type(), s.param(), s));
    }
    return new StrategyTable(defaults, Map.copyOf(services));
  }

  /** The service's own strategy, else the default. */
  public SamplingAnswer answerFor(String service) {
    return services.getOrDefault(service, defaultAnswer);
  }

  /** The service's own strategy, if the policy lists it. */
  public Optional<SamplingAnswer> listed(String service) {
    return Optional.ofNullable(services.get(service));
  }

  private static SamplingAnswer answer(StrategyType type, double param, ServiceStrategy service) {
    if (type == StrategyType.RATE_LIMITING) {
      // The protocol carries whole traces per second; the API only accepts whole numbers.
      return SamplingAnswer.rateLimit((int) Math.round(param));
    }
    Map<String, Double> operations = new LinkedHashMap<>();
    if (service != null && service.operationStrategies() != null) {
      for (OperationStrategy op : service.operationStrategies()) {
        operations.putIfAbsent(op.operation(), op.param());
      }
    }
    return SamplingAnswer.ratio(param, operations);
  }
}
