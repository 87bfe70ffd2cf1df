package io.traceroll.operator.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A Prometheus text exposition read back: each series (name with labels) and its value. */
record Scrape(String text, Map<String, Double> series) {
  static Scrape of(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      series.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
    }
    return new Scrape(text, series);
  }

  /** Metric names of every sample, as PromQL sees them (histograms as _bucket, _count, _sum). */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    series.keySet().forEach(s -> names.add(s.contains("{") ? s.substring(0, s.indexOf('{')) : s));
    return names;
  }

  /** The value of the one series with this name carrying all these labels (name="value"). */
  double value(String name, String... labels) {
    var matching =
        series.entrySet().stream()
            .filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
            .filter(
                e -> {
                  for (String label : labels) {
                    if (!e.getKey().contains(label)) {
                      return false;
                    }
                  }
                  return true;
                })
            .toList();
    if (matching.size() != 1) {
      throw new AssertionError(
          matching.size()
              + " series "
              + name
              + " with "
              + String.join(",", labels)
              + " in\n"
              + text);
    }
    return matching.get(0).getValue();
  }

  boolean has(String name) {
    return names().contains(name);
  }

  /** The HELP text of a metric family. */
  String help(String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith("# HELP " + name + " ")) {
        return line.substring(("# HELP " + name + " ").length());
      }
    }
    return null;
  }
}
