package io.traceroll.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoalescedRunTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aBurstOfRequestsRunsTheActionOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CoalescedRun run = new CoalescedRun(scheduler, Duration.ofMillis(50), runs::incrementAndGet);
    for (int i = 0; i < 10; i++) {
      run.request();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 1);
    Thread.sleep(200);
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void aRequestMadeWhileTheActionRunsRunsItAgain() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CoalescedRun run =
        new CoalescedRun(
            scheduler,
            Duration.ofMillis(10),
            () -> {
              if (runs.incrementAndGet() == 1) {
                running.countDown();
                try {
                  release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    run.request();
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    run.request(); // the first run has read its state already
    release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() == 2);
  }
}
