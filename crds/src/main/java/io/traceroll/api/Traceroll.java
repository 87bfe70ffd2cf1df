package io.traceroll.api;

/** Names users see on their objects (labels, annotations, ports), kept in one place. */
public final class Traceroll {
  public static final String GROUP = "traceroll.io";

  /** Namespace label that selects a namespace for injection, with its enabling value. */
  public static final String INJECT_LABEL = "traceroll.io/inject";

  public static final String INJECT_ENABLED = "enabled";

  /** Pod annotation that opts a pod out of injection when set to "false". */
  public static final String INJECT_ANNOTATION = "traceroll.io/inject";

  /** Namespace label naming the policy ({@code ns.name}) that wins when several match. */
  public static final String POLICY_LABEL = "traceroll.io/policy";

  /** Pod annotation naming the containers to instrument (comma-separated). */
  public static final String CONTAINER_NAMES_ANNOTATION = "traceroll.io/container-names";

  /**
   * Pod annotation of the operator's dry-run probe pods: the webhook answers a dry-run create that
   * carries it by setting it to the id of the policy governing the namespace, and injects nothing.
   * That answer proves the API server calls the webhook there (the policy's WebhookReady).
   */
  public static final String WEBHOOK_PROBE_ANNOTATION = "traceroll.io/webhook-probe";

  /** Pod annotation recording the injection: {@code <ns>.<policy>@<generation>}. */
  public static final String INJECTED_ANNOTATION = "traceroll.io/injected";

  /**
   * Pod annotation with a hash of what was injected (agent, endpoint, env); the rollout restarts
   * workloads whose pods carry another hash.
   */
  public static final String INJECTION_HASH_ANNOTATION = "traceroll.io/injection-hash";

  /**
   * Written on a pod by the operator when the pod's agent first contacts its sampling server: the
   * proof that the agent runs (RFC 3339 time).
   */
  public static final String AGENT_SEEN_ANNOTATION = "traceroll.io/agent-seen";

  /**
   * Pod label the webhook sets to {@link #AGENT_PENDING} on the pods it injects; the operator turns
   * it to {@link #AGENT_CONTACTED} when the agent first calls. Every replica watches only the
   * pending pods, so finding the pod an agent calls from costs no API call.
   */
  public static final String AGENT_LABEL = "traceroll.io/agent";

  public static final String AGENT_PENDING = "pending";
  public static final String AGENT_CONTACTED = "contacted";

  /**
   * Policy annotation: a new value retries every workload the rollout rolled back (its status keeps
   * them out of the webhook's reach until then, or until the injection changes).
   */
  public static final String RETRY_ANNOTATION = "traceroll.io/retry";

  /** Pod-template annotations the rollout writes to restart a workload, as kubectl does. */
  public static final String RESTARTED_AT_ANNOTATION = "traceroll.io/restarted-at";

  /** The injection hash (or "none" when removing) a rollout restart was made for. */
  public static final String RESTARTED_FOR_ANNOTATION = "traceroll.io/restarted-for";

  /** The value of {@link #RESTARTED_FOR_ANNOTATION} for a restart that takes the agent out. */
  public static final String RESTARTED_FOR_REMOVAL = "none";

  /** Pod annotation recording the agent version injected. */
  public static final String AGENT_VERSION_ANNOTATION = "traceroll.io/agent-version";

  /** Pod annotation that overrides the service name (the OpenTelemetry convention). */
  public static final String SERVICE_NAME_ANNOTATION = "resource.opentelemetry.io/service.name";

  public static final String VERSION_LABEL = "app.kubernetes.io/version";

  /** Labels on every object the operator creates. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY = "traceroll";
  public static final String NAME_LABEL = "app.kubernetes.io/name";
  public static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  public static final String POLICY_NAME_LABEL = "traceroll.io/policy-name";

  /** Pod-template annotation holding the hash of tempo.yaml, so Tempo pods roll on change. */
  public static final String CONFIG_HASH_ANNOTATION = "traceroll.io/config-hash";

  /**
   * Label that makes Grafana's datasource sidecar (the Grafana Helm chart's default) provision a
   * ConfigMap's files, with its expected value.
   */
  public static final String GRAFANA_DATASOURCE_LABEL = "grafana_datasource";

  public static final String GRAFANA_DATASOURCE_LABEL_VALUE = "1";

  /** The OpenTelemetry Java agent this release injects. */
  public static final String AGENT_VERSION = "2.33.1";

  public static final String DEFAULT_AGENT_IMAGE =
      "ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:" + AGENT_VERSION;

  public static final String DEFAULT_TEMPO_IMAGE = "grafana/tempo:2.9.0";

  /**
   * The collector the tail-sampling gateway runs: the public contrib build, pinned to the
   * collector-contrib release whose tail_sampling processor the e2e tests validate configs with.
   */
  public static final String DEFAULT_GATEWAY_IMAGE = "otel/opentelemetry-collector-contrib:0.140.1";

  private Traceroll() {}
}
