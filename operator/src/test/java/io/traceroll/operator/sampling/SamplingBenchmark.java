package io.traceroll.operator.sampling;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput and latency of the sampling server's gRPC endpoint on this machine: closed-loop
 * GetSamplingStrategy calls from many concurrent callers over a few HTTP/2 connections on loopback,
 * against a policy with 64 services. Not a test: run with {@code make bench-sampling}.
 *
 * <p>Arguments: seconds (default 20), calls in flight (default 64), connections (default 4).
 */
public final class SamplingBenchmark {
  private static final String AUTHORITY = "bench-sampling.obs.svc:14250";

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 4;

    SamplingStore store = new SamplingStore("traceroll-sampling.ops.svc.cluster.local");
    store.apply(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("bench-sampling")
            .withNamespace("obs")
            .addToLabels("traceroll.io/policy-name", "bench")
            .endMetadata()
            .addToData("strategies.json", strategies(64))
            .build());
    try (SamplingServer server =
        new SamplingServer(
            store,
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0),
            new SimpleMeterRegistry())) {
      server.start();
      List<ManagedChannel> channels = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .overrideAuthority(AUTHORITY)
                .usePlaintext()
                .build());
      }
      run(channels, inFlight, 5, null); // warm-up
      long[] latencies = new long[4_000_000];
      AtomicLong count = new AtomicLong();
      long start = System.nanoTime();
      long failed = run(channels, inFlight, seconds, new Recorder(latencies, count));
      double elapsed = (System.nanoTime() - start) / 1e9;
      int n = (int) Math.min(count.get(), latencies.length);
      long[] done = Arrays.copyOf(latencies, n);
      Arrays.sort(done);
      System.out.printf(
          Locale.ROOT,
          "%d calls in %.1f s = %.0f calls/s (%d in flight over %d connections), %d failed%n",
          count.get(),
          elapsed,
          count.get() / elapsed,
          inFlight,
          connections,
          failed);
      System.out.printf(
          Locale.ROOT,
          "latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n",
          pct(done, 0.50),
          pct(done, 0.90),
          pct(done, 0.99),
          done.length == 0 ? 0 : done[done.length - 1] / 1e6);
      for (ManagedChannel c : channels) {
        c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private record Recorder(long[] latencies, AtomicLong count) {
    void record(long nanos) {
      long i = count.getAndIncrement();
      if (i < latencies.length) {
        latencies[(int) i] = nanos;
      }
    }
  }

  /** Keeps {@code inFlight} calls outstanding for the given time; returns the failed calls. */
  private static long run(List<ManagedChannel> channels, int inFlight, int seconds, Recorder rec)
      throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int i = 0;
    while (System.nanoTime() < end) {
      window.acquire();
      byte[] request = SamplingWire.parameters("service-" + (i % 80)); // some unknown: default
      long sent = System.nanoTime();
      ClientCalls.asyncUnaryCall(
          channels
              .get(i++ % channels.size())
              .newCall(SamplingServerFixture.RAW, CallOptions.DEFAULT),
          request,
          new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
              if (rec != null) {
                rec.record(System.nanoTime() - sent);
              }
            }

            @Override
            public void onError(Throwable t) {
              failed.incrementAndGet();
              window.release();
            }

            @Override
            public void onCompleted() {
              window.release();
            }
          });
    }
    window.acquire(inFlight);
    return failed.get();
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? 0
        : sorted[(int) Math.min(sorted.length - 1, sorted.length * p)] / 1e6;
  }

  private static String strategies(int services) {
    StringBuilder json =
        new StringBuilder(
            "{\"default_strategy\":{\"type\":\"probabilistic\",\"param\":0.1},\"service_strategies\":[");
    for (int s = 0; s < services; s++) {
      json.append(s == 0 ? "" : ",")
          .append("{\"service\":\"service-")
          .append(s)
          .append("\",\"type\":\"probabilistic\",\"param\":0.5,\"operation_strategies\":[")
          .append("{\"operation\":\"GET /healthz\",\"type\":\"probabilistic\",\"param\":0.0},")
          .append("{\"operation\":\"GET /metrics\",\"type\":\"probabilistic\",\"param\":0.0}]}");
    }
    return json.append("]}").toString();
  }
}
