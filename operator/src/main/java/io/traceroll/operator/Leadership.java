package io.traceroll.operator;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this replica holds the leader Lease. Only the leader writes cluster-wide objects (webhook
 * configuration, certificates); every replica serves admissions.
 */
public final class Leadership {
  private final AtomicBoolean leader = new AtomicBoolean();
  private final List<Runnable> onStart = new CopyOnWriteArrayList<>();

  public boolean isLeader() {
    return leader.get();
  }

  /** Runs the action whenever this replica becomes leader (at once if it already is). */
  public void whenLeading(Runnable action) {
    onStart.add(action);
    if (leader.get()) {
      action.run();
    }
  }

  public void startLeading() {
    if (leader.compareAndSet(false, true)) {
      onStart.forEach(Runnable::run);
    }
  }

  public void stopLeading() {
    leader.set(false);
  }
}
