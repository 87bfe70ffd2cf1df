package io.traceroll.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.traceroll.e2e.traces.JaegerTrace;
import io.traceroll.e2e.traces.JaegerTrace.Span;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real agents, real traces, live sampling: patching the policy changes what the running agents
 * sample without restarting them. The tests run in order against the same agents, each starting
 * from the sampling the one before left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveSamplingE2eTest extends LiveSamplingE2eBase {

  @Test
  @Order(1)
  void atRatioZeroNoTraceArrives() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertThat(caller.get("/checkout")).isEqualTo("hello");
    }
    // Several polls and export intervals pass with requests flowing: nothing may arrive.
    await()
        .during(POLL.multipliedBy(2).plusSeconds(1))
        .atMost(POLL.multipliedBy(3).plusSeconds(2))
        .until(() -> jaeger.traces(CALLER).isEmpty() && jaeger.traces(CALLEE).isEmpty());
  }

  @Test
  @Order(2)
  void patchingTheRatioToOneReachesTheRunningAgentsWithoutARestart() throws Exception {
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    try {
      load.scheduleAtFixedRate(
          () -> quietly(() -> caller.get("/checkout")), 0, 200, TimeUnit.MILLISECONDS);
      long patched = System.nanoTime();
      patchSampling("{\"default\":{\"ratio\":1.0}}");

      JaegerTrace trace =
          await()
              .atMost(POLL.plusSeconds(10))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> completeTrace(), t -> t != null);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - patched);
      System.out.printf(
          "[measure] policy patch to first sampled trace in Jaeger: %d ms (poll interval %d ms)%n",
          millis, POLL.toMillis());

      Span checkout = trace.span(CALLER, "server").orElseThrow();
      Span call = trace.span(CALLER, "client").orElseThrow();
      Span hello = trace.span(CALLEE, "server").orElseThrow();
      assertThat(trace.services()).containsExactlyInAnyOrder(CALLER, CALLEE);
      assertThat(checkout.operationName()).isEqualTo("GET /checkout");
      assertThat(call.isChildOf(checkout)).isTrue();
      assertThat(hello.isChildOf(call)).as("W3C traceparent crossed the HTTP hop").isTrue();
      assertThat(hello.processTags())
          .containsEntry("k8s.namespace.name", shopNs)
          .containsEntry("k8s.pod.name", calleePod.getMetadata().getName())
          .containsEntry("k8s.node.name", calleePod.getSpec().getNodeName())
          .containsEntry("k8s.container.name", "app");
      assertThat(checkout.processTags())
          .containsEntry("k8s.pod.name", callerPod.getMetadata().getName());
      assertThat(callee.logs()).contains("trace_id=" + trace.traceId());
    } finally {
      load.shutdownNow();
      load.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void aPerOperationRatioOfZeroDropsThatOperation() throws Exception {
    assertThat(caller.get("/healthz")).isEqualTo("ok");
    await().atMost(Duration.ofSeconds(10)).until(() -> healthzTraces() == 1);

    patchSampling(
        "{\"services\":[{\"service\":\""
            + CALLER
            + "\",\"ratio\":1.0,\"operations\":[{\"name\":\"GET /healthz\",\"ratio\":0.0}]}]}");
    await().atMost(Duration.ofSeconds(15)).until(() -> served(CALLER).contains("\"GET /healthz\""));
    // Both agents poll every 2 s; four answers served after the change means each has its own.
    double polled = grpcAnswers();
    await().atMost(POLL.multipliedBy(6)).until(() -> grpcAnswers() >= polled + 4);

    int checkouts = jaeger.traces(CALLER).size();
    for (int i = 0; i < 5; i++) {
      assertThat(caller.get("/healthz")).isEqualTo("ok");
    }
    assertThat(caller.get("/checkout")).isEqualTo("hello");
    // The later /checkout is exported after the /healthz calls: once it is in, they would be too.
    await().atMost(Duration.ofSeconds(10)).until(() -> jaeger.traces(CALLER).size() > checkouts);
    assertThat(healthzTraces()).isEqualTo(1);
  }
}
