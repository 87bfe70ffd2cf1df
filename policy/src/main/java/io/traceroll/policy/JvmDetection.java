package io.traceroll.policy;

import io.traceroll.policy.PodView.ContainerView;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a container runs a JVM, from what its spec says: the command it runs, its environment,
 * and its image's name. Pure and cheap (it runs on every admission). The first source that knows
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
          "PHP_FPM_PM");

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
          "loki",
          "tempo",
          "jaeger",
          "opentelemetry-collector",
          "otelcol",
          "node",
          "nodejs",
          "python",
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

  private JvmDetection() {}

  public static Evidence of(ContainerView c) {
    Evidence fromCommand = fromCommand(c.command());
    if (fromCommand != null) {
      return fromCommand;
    }
    for (String name : JVM_ENV) {
      if (c.env().containsKey(name)) {
        return new Evidence(Verdict.JVM, "env " + name);
      }
    }
    Evidence fromImage = fromImage(c.image());
    if (fromImage != null) {
      return fromImage;
    }
    for (String name : OTHER_ENV) {
      if (c.env().containsKey(name)) {
        return new Evidence(Verdict.NOT_JVM, "env " + name);
      }
    }
    return new Evidence(Verdict.UNKNOWN, "nothing in the spec or image name");
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

  private static Evidence fromImage(String image) {
    if (image == null || image.isBlank()) {
      return null;
    }
    String name = repositoryPath(image);
    for (List<String> words :
        List.of(JVM_IMAGE_EXCEPTIONS, OTHER_IMAGE_WORDS, JVM_IMAGE_WORDS, BASE_IMAGE_WORDS)) {
      String w = word(name, words);
      if (w != null) {
        boolean jvm = words == JVM_IMAGE_EXCEPTIONS || words == JVM_IMAGE_WORDS;
        return new Evidence(jvm ? Verdict.JVM : Verdict.NOT_JVM, "image " + name + " (" + w + ")");
      }
    }
    return null;
  }

  /** The image's last path segment, lower case, without registry, tag or digest. */
  static String repositoryPath(String image) {
    String s = image.toLowerCase(Locale.ROOT);
    int at = s.indexOf('@');
    if (at >= 0) {
      s = s.substring(0, at);
    }
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':');
    if (colon > slash) {
      s = s.substring(0, colon);
    }
    return s.substring(s.lastIndexOf('/') + 1);
  }

  /** The longest listed word the name holds as a whole word (between - _ . or the ends). */
  private static String word(String name, List<String> words) {
    String best = null;
    for (String w : words) {
      int i = name.indexOf(w);
      while (i >= 0) {
        boolean start = i == 0 || "-_.".indexOf(name.charAt(i - 1)) >= 0;
        int end = i + w.length();
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
