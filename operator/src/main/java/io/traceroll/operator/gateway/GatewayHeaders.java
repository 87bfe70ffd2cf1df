package io.traceroll.operator.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backend's headers for the gateway. Users keep them as agents read them
 * (OTEL_EXPORTER_OTLP_HEADERS: {@code k1=v1,k2=v2}, values URL-encoded); the collector wants a map,
 * which it reads from an environment variable holding JSON (a YAML map).
 */
public final class GatewayHeaders {
  /** The key of the user's Secret, as the webhook reads it for agents. */
  public static final String SOURCE_KEY = "headers";

  /** The key of the gateway's own Secret, holding the headers as a JSON map. */
  public static final String JSON_KEY = "headers.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayHeaders() {}

  /**
   * Parses OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry Java SDK does: values URL-decoded, blank
   * entries skipped, an entry without '=' refused. Messages never quote a value: it is a
   * credential.
   */
  public static Map<String, String> parse(String otelHeaders) {
    Map<String, String> headers = new TreeMap<>();
    String[] entries = otelHeaders.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("entry " + (i + 1) + " is not key=value");
      }
      String name = entry.substring(0, eq).trim();
      String value;
      try {
        value = URLDecoder.decode(entry.substring(eq + 1).trim(), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the value of " + name + " is not URL-encoded");
      }
      headers.put(name, value);
    }
    return headers;
  }

  /**
   * The headers as the JSON map the collector expands from {@link
   * GatewayConfigRenderer#HEADERS_ENV}.
   */
  public static String toJson(Map<String, String> headers) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(headers));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
