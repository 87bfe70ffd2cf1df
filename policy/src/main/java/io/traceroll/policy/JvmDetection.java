package io.traceroll.policy;

import io.traceroll.policy.PodView.ContainerView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether a container runs a JVM, from what its spec says: the command it runs, its environment,
 * and its image's name; then from what the image probe learned of its image ({@link
 * ImageVerdicts}). Pure and cheap (it runs on every admission). The first source that knows
 * decides; a container none of them knows about is {@link Verdict#UNKNOWN}.
 */
public final class JvmDetection {
  /** What the sources say of a container. */
  public enum Verdict {
    JVM,
    NOT_JVM,
    UNKNOWN
  }

  /** The verdict and the source that gave it, for status and warnings. */
  public record Evidence(Verdict verdict, String source) {
    public boolean jvm() {
      return verdict == Verdict.JVM;
    }
  }

  /** Executables (by base name) and launch scripts that start a JVM. */
  private static final Set<String> JVM_EXECUTABLES =
      Set.of(
          "java",
          "catalina.sh",
          "kafka-server-start.sh",
          "zookeeper-server-start.sh",
          "connect-distributed.sh",
          "connect-standalone.sh",
          "kafka-run-class.sh",
          "standalone.sh",
          "domain.sh",
          "kc.sh",
          "jenkins.sh",
          "elasticsearch",
          "logstash",
          "spark-submit",
          "spark-class",
          "flink",
          "jobmanager.sh",
          "taskmanager.sh",
          "mvn",
          "mvnw",
          "gradle",
          "gradlew",
          "sbt",
          "lein",
          "clojure",
          "jshell",
          "jbang",
          "solr",
          "cassandra",
          "neo4j",
          "activemq",
          "artemis",
          "nifi.sh",
          "pulsar",
          "trino-launcher",
          "launcher");

  /** Executables of other runtimes and servers. */
  private static final Set<String> OTHER_EXECUTABLES =
      Set.of(
          "node",
          "nodejs",
          "npm",
          "npx",
          "yarn",
          "pnpm",
          "deno",
          "bun",
          "python",
          "python3",
          "python2",
          "pip",
          "gunicorn",
          "uvicorn",
          "celery",
          "flask",
          "django-admin",
          "ruby",
          "bundle",
          "rails",
          "puma",
          "php",
          "php-fpm",
          "dotnet",
          "nginx",
          "httpd",
          "apache2",
          "envoy",
          "haproxy",
          "traefik",
          "caddy",
          "redis-server",
          "redis-sentinel",
          "postgres",
          "mysqld",
          "mariadbd",
          "mongod",
          "memcached",
          "rabbitmq-server",
          "etcd",
          "coredns",
          "pilot-agent",
          "fluent-bit",
          "fluentd",
          "vector",
          "otelcol",
          "otelcol-contrib",
          "prometheus",
          "grafana",
          "grafana-server",
          "kiali",
          "loki",
          "tempo",
          "consul",
          "vault",
          "nats-server");

  /** Environment variables only JVM images and launchers read. */
  private static final List<String> JVM_ENV =
      List.of(
          "JAVA_HOME",
          "JAVA_OPTS",
          "JAVA_TOOL_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "_JAVA_OPTIONS",
          "JVM_OPTS",
          "CATALINA_OPTS",
          "CATALINA_HOME",
          "KAFKA_OPTS",
          "KAFKA_HEAP_OPTS",
          "ES_JAVA_OPTS",
          "LS_JAVA_OPTS",
          "MAVEN_OPTS",
          "GRADLE_OPTS",
          "SPRING_PROFILES_ACTIVE",
          "SPRING_APPLICATION_JSON",
          "SPRING_DATASOURCE_URL",
          "QUARKUS_PROFILE",
          "MICRONAUT_ENVIRONMENTS");

  /** Prefixes of variables only a JVM reads: the OpenTelemetry Java agent's own settings. */
  private static final List<String> JVM_ENV_PREFIXES = List.of("OTEL_JAVAAGENT_");

  /** Environment variables of other runtimes. */
  private static final List<String> OTHER_ENV =
      List.of(
          "NODE_ENV",
          "NODE_OPTIONS",
          "PYTHONPATH",
          "PYTHONUNBUFFERED",
          "PYTHONDONTWRITEBYTECODE",
          "GOMAXPROCS",
          "GOMEMLIMIT",
          "GODEBUG",
          "ASPNETCORE_URLS",
          "ASPNETCORE_ENVIRONMENT",
          "DOTNET_RUNNING_IN_CONTAINER",
          "RAILS_ENV",
          "RACK_ENV",
          "PHP_FPM_PM",
          "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION",
          "PHX_HOST",
          "PHX_SERVER",
          "MIX_ENV");

  /**
   * Prefixes of other runtimes' variables: the settings of the OpenTelemetry SDKs and agents of
   * other languages, which only the process they instrument reads (unlike, say, {@code
   * LOCUST_WEB_HOST}, which a proxy in front of Locust carries too).
   */
  private static final List<String> OTHER_ENV_PREFIXES =
      List.of(
          "OTEL_DOTNET_AUTO_",
          "OTEL_PYTHON_",
          "OTEL_NODE_",
          "OTEL_PHP_",
          "OTEL_RUBY_",
          "OTEL_GO_AUTO_");

  /**
   * Words in an image's repository path (registry and tag left out) that name a JVM, its
   * distributions and servers built on it.
   */
  private static final List<String> JVM_IMAGE_WORDS =
      List.of(
          "java",
          "jdk",
          "jre",
          "jvm",
          "temurin",
          "openjdk",
          "corretto",
          "amazoncorretto",
          "zulu",
          "semeru",
          "liberica",
          "sapmachine",
          "graalvm",
          "tomcat",
          "jetty",
          "wildfly",
          "jboss",
          "keycloak",
          "kafka",
          "zookeeper",
          "elasticsearch",
          "opensearch",
          "logstash",
          "cassandra",
          "solr",
          "neo4j",
          "jenkins",
          "sonarqube",
          "nexus",
          "activemq",
          "artemis",
          "flink",
          "spark",
          "trino",
          "presto",
          "hazelcast",
          "ignite",
          "nifi",
          "pulsar",
          "zipkin",
          "hivemq",
          "liberty",
          "payara",
          "quarkus",
          "spring",
          "gradle",
          "maven",
          "sbt",
          "clojure",
          "scala",
          "kotlin",
          "cp-server",
          "cp-schema-registry");

  /** JVM images whose names hold a word of another kind. */
  private static final List<String> JVM_IMAGE_EXCEPTIONS = List.of("jmx-exporter", "jmx_exporter");

  /**
   * Words that name other runtimes, servers, proxies and agents: they win over a JVM word in the
   * same name (kafka-exporter and elasticsearch-exporter are Go programs).
   */
  private static final List<String> OTHER_IMAGE_WORDS =
      List.of(
          "postgres",
          "postgresql",
          "postgis",
          "mysql",
          "mariadb",
          "redis",
          "valkey",
          "memcached",
          "mongo",
          "mongodb",
          "nginx",
          "httpd",
          "envoy",
          "haproxy",
          "traefik",
          "caddy",
          "grafana",
          "prometheus",
          "alertmanager",
          "kiali",
          "loki",
          "tempo",
          "jaeger",
          "jaegertracing",
          "opentelemetry-collector",
          "otelcol",
          "node",
          "nodejs",
          "python",
          "go",
          "golang",
          "ruby",
          "php",
          "dotnet",
          "aspnet",
          "rabbitmq",
          "etcd",
          "coredns",
          "proxyv2",
          "linkerd",
          "fluent-bit",
          "fluentd",
          "vector",
          "consul",
          "vault",
          "minio",
          "clickhouse",
          "influxdb",
          "telegraf",
          "cockroach",
          "nats",
          "exporter",
          "kube-state-metrics",
          "cert-manager",
          "pause");

  /** Base images: a JVM word in the same name wins over them (openjdk-alpine). */
  private static final List<String> BASE_IMAGE_WORDS =
      List.of("busybox", "alpine", "debian", "ubuntu", "curl", "wget", "distroless", "static");

  /** Word lists in the order they decide; a JVM exception first, JVM words after other kinds. */
  private static final List<List<String>> NAME_TIERS =
      List.of(JVM_IMAGE_EXCEPTIONS, OTHER_IMAGE_WORDS, JVM_IMAGE_WORDS);

  private JvmDetection() {}

  /** From the spec, else from the image probe's verdict on the container's image. */
  public static Evidence of(ContainerView c, ImageVerdicts images) {
    Evidence fromSpec = of(c);
    if (fromSpec.verdict() != Verdict.UNKNOWN) {
      return fromSpec;
    }
    return images
        .lookup(c.image())
        .map(e -> e.asEvidence(c.image()))
        .orElse(new Evidence(Verdict.UNKNOWN, UNPROBED));
  }

  /** The source of a container neither its spec nor a probe of its image judged. */
  static final String UNPROBED = "nothing in the spec or image name, image not probed yet";

  /**
   * Whether the image probe should look at this container's image: its spec says nothing either way
   * and no probe judged the image (or its family).
   */
  public static boolean needsProbe(ContainerView c, ImageVerdicts images) {
    return c.image() != null
        && !c.image().isBlank()
        && of(c).verdict() == Verdict.UNKNOWN
        && !images.known(c.image());
  }

  /** From the spec alone: command, JVM variables, the image's name, other runtimes' variables. */
  public static Evidence of(ContainerView c) {
    Evidence fromCommand = fromCommand(c.command());
    if (fromCommand != null) {
      return fromCommand;
    }
    Evidence jvmEnv = fromEnv(c.env(), JVM_ENV, JVM_ENV_PREFIXES, Verdict.JVM);
    if (jvmEnv != null) {
      return jvmEnv;
    }
    Evidence fromImage = fromImage(c.image());
    if (fromImage != null) {
      return fromImage;
    }
    Evidence otherEnv = fromEnv(c.env(), OTHER_ENV, OTHER_ENV_PREFIXES, Verdict.NOT_JVM);
    if (otherEnv != null) {
      return otherEnv;
    }
    return new Evidence(Verdict.UNKNOWN, "nothing in the spec or image name");
  }

  /** A listed variable the container sets, else the first one (by name) with a listed prefix. */
  private static Evidence fromEnv(
      Map<String, String> env, List<String> names, List<String> prefixes, Verdict verdict) {
    for (String name : names) {
      if (env.containsKey(name)) {
        return new Evidence(verdict, "env " + name);
      }
    }
    for (String prefix : prefixes) {
      var name = env.keySet().stream().filter(n -> n.startsWith(prefix)).sorted().findFirst();
      if (name.isPresent()) {
        return new Evidence(verdict, "env " + name.get());
      }
    }
    return null;
  }

  /** The executable decides; a shell's script is read for the first executable it names. */
  private static Evidence fromCommand(List<String> command) {
    if (command.isEmpty()) {
      return null;
    }
    for (String token : command) {
      for (String word : token.split("[\\s;&|()`'\"]+")) {
        if (word.isEmpty() || word.startsWith("-") && !isJvmFlag(word)) {
          continue;
        }
        if (isJvmFlag(word) || word.endsWith(".jar")) {
          return new Evidence(Verdict.JVM, "command: " + word);
        }
        String base = word.substring(word.lastIndexOf('/') + 1);
        if (JVM_EXECUTABLES.contains(base)) {
          return new Evidence(Verdict.JVM, "command: " + base);
        }
        if (OTHER_EXECUTABLES.contains(base)) {
          return new Evidence(Verdict.NOT_JVM, "command: " + base);
        }
      }
    }
    return null;
  }

  private static boolean isJvmFlag(String word) {
    return word.equals("-jar")
        || word.startsWith("-javaagent:")
        || word.startsWith("-Xmx")
        || word.startsWith("-XX:");
  }

  /**
   * The image's name decides by its words (a JVM exception, another kind, a JVM, a database's
   * {@code -db} ending, a base image); a name that says nothing leaves it to the repository's
   * namespaces ({@code jaegertracing/all-in-one}), then to the tag ({@code demo:2.1-postgresql},
   * one repository for a project's images), which only JVM words and other kinds' words decide.
   */
  private static Evidence fromImage(String image) {
    if (image == null || image.isBlank()) {
      return null;
    }
    ImageRef ref = ImageRef.of(image);
    Evidence e = fromWords(ref.name(), ref.name(), NAME_TIERS);
    if (e != null) {
      return e;
    }
    if (ref.name().matches(".*[-_.]db")) {
      return new Evidence(Verdict.NOT_JVM, "image " + ref.name() + " (db)");
    }
    e = fromWords(ref.name(), ref.name(), List.of(BASE_IMAGE_WORDS));
    for (int i = ref.namespaces().size() - 1; e == null && i >= 0; i--) {
      String namespace = ref.namespaces().get(i);
      e = fromWords(namespace + "/" + ref.name(), namespace, NAME_TIERS);
    }
    if (e == null && !ref.tag().isEmpty()) {
      e = fromWords(ref.name() + ":" + ref.tag(), ref.tag(), NAME_TIERS);
    }
    return e;
  }

  private static Evidence fromWords(String shown, String text, List<List<String>> tiers) {
    for (List<String> words : tiers) {
      String w = word(text, words);
      if (w != null) {
        boolean jvm = words == JVM_IMAGE_EXCEPTIONS || words == JVM_IMAGE_WORDS;
        return new Evidence(jvm ? Verdict.JVM : Verdict.NOT_JVM, "image " + shown + " (" + w + ")");
      }
    }
    return null;
  }

  /**
   * An image reference, lower case, without registry host and digest: the path segments before the
   * last, the last (its name), and the tag ("" if none).
   */
  record ImageRef(List<String> namespaces, String name, String tag) {
    static ImageRef of(String image) {
      String s = image.toLowerCase(Locale.ROOT);
      int at = s.indexOf('@');
      if (at >= 0) {
        s = s.substring(0, at);
      }
      String tag = "";
      int colon = s.lastIndexOf(':');
      if (colon > s.lastIndexOf('/')) {
        tag = s.substring(colon + 1);
        s = s.substring(0, colon);
      }
      List<String> path = new ArrayList<>(List.of(s.split("/")));
      String first = path.get(0);
      if (path.size() > 1
          && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
        path.remove(0);
      }
      String name = path.remove(path.size() - 1);
      return new ImageRef(path, name, tag);
    }
  }

  /**
   * The longest listed word the name holds as a whole word (between - _ . or the ends; digits and a
   * {@code db} may follow it: {@code java17}, {@code mysqldb}).
   */
  private static String word(String name, List<String> words) {
    String best = null;
    for (String w : words) {
      int i = name.indexOf(w);
      while (i >= 0) {
        boolean start = i == 0 || "-_.".indexOf(name.charAt(i - 1)) >= 0;
        int end = i + w.length();
        if (name.startsWith("db", end)) {
          end += 2;
        }
        boolean stop = end == name.length() || "-_.0123456789".indexOf(name.charAt(end)) >= 0;
        if (start && stop && (best == null || w.length() > best.length())) {
          best = w;
        }
        i = name.indexOf(w, i + 1);
      }
    }
    return best;
  }
}
