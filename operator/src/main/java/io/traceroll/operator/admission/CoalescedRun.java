package io.traceroll.operator.admission;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action once, a short delay after a burst of requests. A request made while the action
 * runs schedules another run: the running one may already have read the state that request is about
 * (a policy added while the webhook configuration was being written).
 */
final class CoalescedRun {
  private final ScheduledExecutorService scheduler;
  private final Duration delay;
  private final Runnable action;
  private final AtomicBoolean queued = new AtomicBoolean();

  CoalescedRun(ScheduledExecutorService scheduler, Duration delay, Runnable action) {
    this.scheduler = scheduler;
    this.delay = delay;
    this.action = action;
  }

  void request() {
    if (queued.compareAndSet(false, true)) {
      scheduler.schedule(
          () -> {
            queued.set(false); // before running: later requests need a later run
            action.run();
          },
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }
}
