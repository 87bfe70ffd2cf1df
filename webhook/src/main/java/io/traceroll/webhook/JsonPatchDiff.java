package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The RFC 6902 patch that turns one JSON document into another, so the mutator can edit a copy of
 * the pod and answer with the difference. Objects are compared field by field; an array that only
 * gained elements gets one "add" per new element, an array of the same length is compared element
 * by element, and any other changed array is replaced whole (still exact, only longer).
 */
final class JsonPatchDiff {
  private JsonPatchDiff() {}

  static ArrayNode between(JsonNode before, JsonNode after) {
    ArrayNode operations = JsonNodeFactory.instance.arrayNode();
    diff("", before, after, operations);
    return operations;
  }

  private static void diff(String path, JsonNode a, JsonNode b, ArrayNode out) {
    if (a.equals(b)) {
      return;
    }
    if (a instanceof ObjectNode from && b instanceof ObjectNode to) {
      for (Iterator<String> names = from.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!to.has(name)) {
          out.addObject().put("op", "remove").put("path", path + "/" + escape(name));
        }
      }
      for (Iterator<String> names = to.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        String child = path + "/" + escape(name);
        if (from.has(name)) {
          diff(child, from.get(name), to.get(name), out);
        } else {
          add(out, child, to.get(name));
        }
      }
      return;
    }
    if (a instanceof ArrayNode from && b instanceof ArrayNode to) {
      if (from.size() == to.size()) {
        for (int i = 0; i < from.size(); i++) {
          diff(path + "/" + i, from.get(i), to.get(i), out);
        }
        return;
      }
      List<Integer> inserted = insertions(from, to);
      if (inserted != null) {
        // Ascending: each add lands at its final index once the earlier ones are in.
        inserted.forEach(i -> add(out, path + "/" + i, to.get(i)));
        return;
      }
    }
    out.addObject().put("op", "replace").put("path", path).set("value", b.deepCopy());
  }

  /**
   * The indices of {@code to} that are new, when {@code to} is {@code from} with elements inserted
   * (the old ones unchanged and in order); otherwise null.
   */
  private static List<Integer> insertions(ArrayNode from, ArrayNode to) {
    if (to.size() < from.size()) {
      return null;
    }
    List<Integer> inserted = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < to.size(); i++) {
      if (next < from.size() && from.get(next).equals(to.get(i))) {
        next++;
      } else {
        inserted.add(i);
      }
    }
    return next == from.size() ? inserted : null;
  }

  private static void add(ArrayNode out, String path, JsonNode value) {
    out.addObject().put("op", "add").put("path", path).set("value", value.deepCopy());
  }

  /** JSON Pointer escaping of one reference token. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
