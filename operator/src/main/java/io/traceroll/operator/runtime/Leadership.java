package io.traceroll.operator.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this replica holds the leader Lease. Only the leader writes cluster-wide objects (webhook
 * configuration, certificates); every replica serves admissions.
 */
public final class Leadership {
  /** The Lease the replicas compete for, in the operator's namespace. */
  public static final String LEASE_NAME = "traceroll-operator-leader";

  /**
   * How long a Lease holds without renewal, how long the leader keeps trying to renew it, and how
   * often every replica tries. Kubernetes' own controllers renew every 2 s; the leader here only
   * rolls out, writes status and the webhook configuration (every replica admits pods), so a
   * crashed leader may take up to 35 s to be replaced, and an idle operator makes 6 renewals per 30
   * s instead of 15. A replica shutting down releases the Lease, so a rolling update hands over
   * within one retry period.
   */
  public static final Duration LEASE_DURATION = Duration.ofSeconds(30);

  public static final Duration RENEW_DEADLINE = Duration.ofSeconds(20);
  public static final Duration RETRY_PERIOD = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final List<Runnable> onStart = new CopyOnWriteArrayList<>();
  private final Runnable onLost;
  private final String identity;

  /**
   * @param onLost runs when leadership is lost while the process is not shutting down (the operator
   *     then exits, so a restarted pod rejoins the election instead of acting on a stale view)
   */
  public Leadership(Runnable onLost) {
    this.onLost = onLost;
    // As JOSDK names a replica: its pod's name, else a random id.
    String host = System.getenv("HOSTNAME");
    this.identity = host == null || host.isBlank() ? UUID.randomUUID().toString() : host;
  }

  /** This replica's name in the Lease. */
  public String identity() {
    return identity;
  }

  /**
   * After the elector stopped on shutdown: empties the Lease's holder if it still names this
   * replica, so another replica takes over at its next try instead of after the Lease expires.
   * JOSDK's elector does not release it.
   */
  public void release(KubernetesClient client, String namespace) {
    try {
      Lease lease = client.resources(Lease.class).inNamespace(namespace).withName(LEASE_NAME).get();
      if (lease == null
          || lease.getSpec() == null
          || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      lease.getSpec().setHolderIdentity("");
      lease.getSpec().setLeaseDurationSeconds(1);
      // Replaced with its resourceVersion: a Lease another replica took meanwhile stays its.
      client.resource(lease).update();
      LOG.info("released the leader Lease");
    } catch (RuntimeException e) {
      LOG.warn("could not release the leader Lease (it expires on its own): {}", e.getMessage());
    }
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
