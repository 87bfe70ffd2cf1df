package io.traceroll.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.traceroll.api.Traceroll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The operator process as a cluster runs it: the Deployment's JVM options, against the local API
 * server with pods in namespaces it governs and in ones it does not. Per round it measures JVM
 * start to ready (/readyz 200) and to the first mutated admission (a server-side dry-run pod create
 * in a labelled namespace, repeated every 20 ms from the moment the process starts, until the API
 * server answers with the pod injected); after the last round, idle for a while, the resident
 * memory, threads (by name) and CPU time over 30 s. Not a test: run with {@code make
 * bench-process}.
 *
 * <p>Arguments: rounds (default 3), pods to create first (default 500, in 10 namespaces, half of
 * them governed), idle seconds before the process is sampled (default 60). The jar is {@code
 * $TRACEROLL_JAR}, else the one the build made.
 */
public final class ProcessBenchmark {
  /**
   * The operator Deployment's JVM options (deploy/base/deployment.yaml), at its memory limit, with
   * the collector the JVM picks itself in a container of under 1792 MiB (on a host it picks G1).
   */
  static final List<String> JVM =
      Stream.concat(
              Stream.of(
                  "-XX:MaxRAM=512m",
                  "-XX:MaxRAMPercentage=75",
                  "-XX:+ExitOnOutOfMemoryError",
                  "-XX:+UseSerialGC"),
              // more options, e.g. a flight recording to see what idle time is spent on
              Arrays.stream(System.getenv().getOrDefault("TRACEROLL_JVM_EXTRA", "").split(" "))
                  .filter(o -> !o.isBlank()))
          .toList();

  /** The operator's own defaults where the e2e tests speed it up. */
  static final Map<String, String> DEFAULTS = Map.of("TRACEROLL_RECHECK_INTERVAL", "30s");

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int pods = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    Path jar = OperatorProcess.JAR;
    TestCluster cluster = new TestCluster();
    cluster.installCrd();
    cluster.ensureNamespace(TestCluster.OPERATOR_NAMESPACE);
    OperatorProcess.Ports ports = OperatorProcess.Ports.free();

    // Set-up, not measured: a policy, its webhook registered, pods in and out of its namespaces.
    String policyNs = cluster.createNamespace("proc-obs", Map.of());
    String governed;
    try (OperatorProcess operator =
        OperatorProcess.start(TestCluster.OPERATOR_NAMESPACE, DEFAULTS, ports, jar, JVM)) {
      cluster.client.resource(TestCluster.sample("tracingpolicy-otlp.yaml", policyNs)).create();
      PodCreateBenchmark.awaitWebhook(cluster, operator);
      Map<String, String> inject =
          Map.of(
              Traceroll.INJECT_LABEL,
              Traceroll.INJECT_ENABLED,
              Traceroll.POLICY_LABEL,
              policyNs + ".to-collector");
      governed = cluster.createNamespace("proc-inj", inject);
      for (int n = 0; n < 10; n++) {
        String ns = cluster.createNamespace("proc-" + n, n % 2 == 0 ? inject : Map.of());
        for (int i = 0; i < pods / 10; i++) {
          cluster.client.resource(PodCreateBenchmark.pod(ns, "p-" + i)).create();
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "jar %s (%d KiB), JVM %s, %d pods in 10 namespaces (5 governed)%n",
        jar,
        Files.size(jar) / 1024,
        String.join(" ", JVM),
        pods);

    OperatorProcess last = null;
    for (int round = 1; round <= rounds; round++) {
      AtomicLong injectedAt = new AtomicLong();
      long start = System.nanoTime();
      Thread admissions =
          new Thread(
              () -> {
                while (injectedAt.get() == 0) {
                  try {
                    Pod answer =
                        cluster
                            .client
                            .resource(PodCreateBenchmark.pod(governed, "dry"))
                            .dryRun()
                            .create();
                    if (answer.getMetadata().getAnnotations() != null
                        && answer
                            .getMetadata()
                            .getAnnotations()
                            .containsKey(Traceroll.INJECTED_ANNOTATION)) {
                      injectedAt.set(System.nanoTime());
                      return;
                    }
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    // the API server refused for a moment: try again
                  }
                }
              });
      admissions.start();
      OperatorProcess operator =
          OperatorProcess.start(TestCluster.OPERATOR_NAMESPACE, DEFAULTS, ports, jar, JVM);
      long ready = System.nanoTime();
      admissions.join(60_000);
      admissions.interrupt(); // when no admission was mutated in time: not into the next round
      System.out.printf(
          Locale.ROOT,
          "round %d: start -> ready %.2f s, start -> first mutated admission %s%n",
          round,
          (ready - start) / 1e9,
          injectedAt.get() == 0
              ? "none within 60 s"
              : String.format(Locale.ROOT, "%.2f s", (injectedAt.get() - start) / 1e9));
      if (round < rounds) {
        operator.close();
      } else {
        last = operator;
      }
    }

    System.out.printf(Locale.ROOT, "idle %d s...%n", idleSeconds);
    Thread.sleep(idleSeconds * 1000L);
    long pid = last.pid();
    long ticks = cpuTicks(pid);
    Thread.sleep(30_000);
    long used = cpuTicks(pid) - ticks;
    System.out.printf(
        Locale.ROOT,
        "idle: RSS %d MiB, %d threads, CPU %.2f s per 30 s%n",
        status(pid, "VmRSS") / 1024,
        status(pid, "Threads"),
        used / 100.0);
    System.out.println("threads by name: " + threadNames(pid));
    last.close();
    cluster.client.close();
    System.exit(0);
  }

  /** User plus system time of the process, in clock ticks (1/100 s). */
  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** A number from /proc/PID/status (kB for memory lines). */
  static long status(long pid, String key) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(key + ":")) {
        return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
      }
    }
    throw new IllegalStateException("no " + key + " in /proc/" + pid + "/status");
  }

  /** Threads counted by name, numbers taken out ("admission", "pool-N-thread-N", ...). */
  static Map<String, Integer> threadNames(long pid) throws Exception {
    Map<String, Integer> names = new TreeMap<>();
    List<Path> tasks = new ArrayList<>();
    try (var stream = Files.list(Path.of("/proc/" + pid + "/task"))) {
      stream.forEach(tasks::add);
    }
    for (Path task : tasks) {
      try {
        String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "N");
        names.merge(name, 1, Integer::sum);
      } catch (java.io.IOException gone) {
        // the thread ended while listed
      }
    }
    return names;
  }
}
