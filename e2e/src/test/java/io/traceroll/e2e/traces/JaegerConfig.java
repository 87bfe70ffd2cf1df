package io.traceroll.e2e.traces;

/**
 * Jaeger v2 configuration for tests: memory storage and every listener on a chosen loopback port,
 * so it runs beside a user's Jaeger on the default ports without touching it.
 */
record JaegerConfig(int otlpGrpcPort, int otlpHttpPort, int queryHttpPort, int queryGrpcPort) {

  /**
   * The collector YAML. Internal metrics are off (they would bind :8888) and the query extension's
   * self-tracing is off (it exports Jaeger's own spans to localhost:4317, that is into whatever
   * Jaeger the user runs, and makes shutdown hang while the export retries).
   */
  String yaml() {
    return """
        service:
          extensions: [jaeger_storage, jaeger_query]
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [jaeger_storage_exporter]
          telemetry:
            metrics:
              level: none
            logs:
              level: info
        extensions:
          jaeger_storage:
            backends:
              memstore:
                memory:
                  max_traces: 100000
          jaeger_query:
            enable_tracing: false
            storage:
              traces: memstore
            http:
              endpoint: 127.0.0.1:%d
            grpc:
              endpoint: 127.0.0.1:%d
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
        processors:
          batch:
            timeout: 100ms
        exporters:
          jaeger_storage_exporter:
            trace_storage: memstore
        """
        .formatted(queryHttpPort, queryGrpcPort, otlpGrpcPort, otlpHttpPort);
  }
}
