package io.traceroll.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tools e2e/local-cluster/build.sh builds from Go modules (Jaeger, operator-sdk, ...), found in
 * its cache at the version versions.env pins, and built there (once, for minutes) when missing.
 */
public final class GoBinaries {
  private static final Path LOCAL_CLUSTER = Path.of("local-cluster");

  private GoBinaries() {}

  /**
   * @param target the build.sh target, also the binary's name
   * @param versionVariable the versions.env variable pinning its version
   */
  public static synchronized Path get(String target, String versionVariable)
      throws IOException, InterruptedException {
    String cache = System.getenv("TRACEROLL_CACHE");
    Path bin =
        (cache == null
                ? Path.of(System.getProperty("user.home"), ".cache", "traceroll")
                : Path.of(cache))
            .resolve("bin")
            .resolve(target + "-" + pinnedVersion(versionVariable));
    if (!Files.isExecutable(bin)) {
      Path buildLog = Path.of("target", target + "-build.log");
      Files.createDirectories(buildLog.getParent());
      Process build =
          new ProcessBuilder("bash", LOCAL_CLUSTER.resolve("build.sh").toString(), target)
              .redirectErrorStream(true)
              .redirectOutput(buildLog.toFile())
              .start();
      if (!build.waitFor(40, TimeUnit.MINUTES)
          || build.exitValue() != 0
          || !Files.isExecutable(bin)) {
        build.destroyForcibly();
        throw new IllegalStateException(
            "could not build " + bin + ":\n" + Files.readString(buildLog));
      }
    }
    return bin;
  }

  public static String pinnedVersion(String versionVariable) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(versionVariable) + "=(\\S+)$")
            .matcher(Files.readString(LOCAL_CLUSTER.resolve("versions.env")));
    if (!m.find()) {
      throw new IllegalStateException("no " + versionVariable + " in versions.env");
    }
    return m.group(1);
  }
}
