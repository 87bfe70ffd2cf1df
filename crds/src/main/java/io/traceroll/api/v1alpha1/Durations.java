package io.traceroll.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ("90s", "1h30m") as the API accepts them, and their parsing. */
public final class Durations {
  /** Schema pattern for a duration field. */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /** Parses a duration that matches {@link #PATTERN}. */
  public static Duration parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      throw new IllegalArgumentException("not a duration like 90s or 1h30m: " + text);
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          switch (m.group(2)) {
            case "ms" -> total.plusMillis(n);
            case "s" -> total.plusSeconds(n);
            case "m" -> total.plusMinutes(n);
            default -> total.plusHours(n);
          };
    }
    return total;
  }
}
