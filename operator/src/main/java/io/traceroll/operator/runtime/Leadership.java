package io.traceroll.operator.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether this replica holds the leader Lease. Only the leader writes cluster-wide objects (webhook
 * configuration, certificates); every replica serves admissions.
 */
public final class Leadership {
  /** The Lease the replicas compete for, in the operator's namespace. */
  public static final String LEASE_NAME = "traceroll-operator-leader";

  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final List<Runnable> onStart = new CopyOnWriteArrayList<>();
  private final Runnable onLost;

  /**
   * @param onLost runs when leadership is lost while the process is not shutting down (the operator
   *     then exits, so a restarted pod rejoins the election instead of acting on a stale view)
   */
  public Leadership(Runnable onLost) {
    this.onLost = onLost;
  }

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
    if (leader.getAndSet(false) && !shuttingDown.get()) {
      onLost.run();
    }
  }

  /** Called first on shutdown: releasing the Lease then is expected, not a loss. */
  public void shuttingDown() {
    shuttingDown.set(true);
  }
}
