package io.traceroll.operator.sampling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The two messages of Jaeger's remote-sampling API ({@code jaeger.api_v2}
 * SamplingStrategyParameters and SamplingStrategyResponse) in protobuf and in its JSON mapping.
 * Written by hand: two small messages do not justify a code generator in the build.
 */
public final class SamplingWire {
  public static final String SERVICE = "jaeger.api_v2.SamplingManager";
  public static final String METHOD = "GetSamplingStrategy";

  // SamplingStrategyParameters
  private static final int PARAMS_SERVICE_NAME = 1;
  // SamplingStrategyResponse
  private static final int STRATEGY_TYPE = 1;
  private static final int PROBABILISTIC = 2;
  private static final int RATE_LIMITING = 3;
  private static final int OPERATION_SAMPLING = 4;
  private static final int TYPE_RATE_LIMITING = 1;
  // ProbabilisticSamplingStrategy, RateLimitingSamplingStrategy
  private static final int SAMPLING_RATE = 1;
  private static final int MAX_TRACES_PER_SECOND = 1;
  // PerOperationSamplingStrategies, OperationSamplingStrategy
  private static final int DEFAULT_SAMPLING_PROBABILITY = 1;
  private static final int PER_OPERATION = 3;
  private static final int OPERATION = 1;
  private static final int OPERATION_PROBABILISTIC = 2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private SamplingWire() {}

  /** The service name of a SamplingStrategyParameters message; empty when it names none. */
  public static String serviceName(InputStream message) throws InvalidProtocolBufferException {
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      String service = "";
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == PARAMS_SERVICE_NAME
            && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          service = in.readStringRequireUtf8();
        } else if (!in.skipField(tag)) {
          break;
        }
      }
      return service;
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  /** A SamplingStrategyParameters message naming a service (what agents send). */
  public static byte[] parameters(String service) {
    return message(out -> out.writeString(PARAMS_SERVICE_NAME, service));
  }

  /** The SamplingStrategyResponse for an answer. */
  public static byte[] response(SamplingAnswer answer) {
    return message(
        out -> {
          if (answer.rateLimited()) {
            out.writeEnum(STRATEGY_TYPE, TYPE_RATE_LIMITING);
            out.writeByteArray(
                RATE_LIMITING,
                message(r -> r.writeInt32(MAX_TRACES_PER_SECOND, answer.maxTracesPerSecond())));
            return;
          }
          // Sub-messages are written even when all their fields are zero: a reader must find
          // "ratio 0.0", not "no ratio".
          out.writeByteArray(PROBABILISTIC, probabilistic(answer.ratio()));
          if (!answer.operations().isEmpty()) {
            out.writeByteArray(OPERATION_SAMPLING, perOperation(answer));
          }
        });
  }

  /** The same response in the protobuf JSON mapping, as Jaeger's HTTP endpoint answers. */
  public static String json(SamplingAnswer answer) {
    ObjectNode root = JSON.createObjectNode();
    if (answer.rateLimited()) {
      root.put("strategyType", "RATE_LIMITING");
      root.putObject("rateLimitingSampling").put("maxTracesPerSecond", answer.maxTracesPerSecond());
      return root.toString();
    }
    root.put("strategyType", "PROBABILISTIC");
    root.putObject("probabilisticSampling").put("samplingRate", answer.ratio());
    if (!answer.operations().isEmpty()) {
      ObjectNode ops = root.putObject("operationSampling");
      ops.put("defaultSamplingProbability", answer.ratio());
      var list = ops.putArray("perOperationStrategies");
      answer
          .operations()
          .forEach(
              (name, ratio) ->
                  list.addObject()
                      .put("operation", name)
                      .putObject("probabilisticSampling")
                      .put("samplingRate", ratio));
    }
    return root.toString();
  }

  private static byte[] perOperation(SamplingAnswer answer) {
    return message(
        out -> {
          out.writeDouble(DEFAULT_SAMPLING_PROBABILITY, answer.ratio());
          for (Map.Entry<String, Double> op : answer.operations().entrySet()) {
            out.writeByteArray(
                PER_OPERATION,
                message(
                    o -> {
                      o.writeString(OPERATION, op.getKey());
                      o.writeByteArray(OPERATION_PROBABILISTIC, probabilistic(op.getValue()));
                    }));
          }
        });
  }

  private static byte[] probabilistic(double ratio) {
    return message(out -> out.writeDouble(SAMPLING_RATE, ratio));
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      fields.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
