package io.traceroll.operator.tempo;

import io.traceroll.api.v1alpha1.Receiver;
import io.traceroll.policy.OtlpTarget;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The ports Tempo listens on, and which of them a set of receivers enables. */
public final class TempoPorts {
  public static final int HTTP = 3200;
  public static final int GRPC_INTERNAL = 9095;
  public static final int OTLP_GRPC = OtlpTarget.OTLP_GRPC_PORT;
  public static final int OTLP_HTTP = OtlpTarget.OTLP_HTTP_PORT;
  public static final int ZIPKIN = 9411;
  public static final int JAEGER_THRIFT_HTTP = 14268;
  public static final int JAEGER_GRPC = 14250;

  /** A named port of the Tempo container and Service. */
  public record NamedPort(String name, int port) {}

  private TempoPorts() {}

  /** The query/API port first, then one port per enabled receiver protocol. */
  public static List<NamedPort> exposed(Collection<Receiver> receivers) {
    List<NamedPort> ports = new ArrayList<>();
    ports.add(new NamedPort("http", HTTP));
    if (receivers.contains(Receiver.OTLP_GRPC)) {
      ports.add(new NamedPort("otlp-grpc", OTLP_GRPC));
    }
    if (receivers.contains(Receiver.OTLP_HTTP)) {
      ports.add(new NamedPort("otlp-http", OTLP_HTTP));
    }
    if (receivers.contains(Receiver.JAEGER)) {
      ports.add(new NamedPort("jaeger-thrift", JAEGER_THRIFT_HTTP));
      ports.add(new NamedPort("jaeger-grpc", JAEGER_GRPC));
    }
    if (receivers.contains(Receiver.ZIPKIN)) {
      ports.add(new NamedPort("zipkin", ZIPKIN));
    }
    return ports;
  }
}
