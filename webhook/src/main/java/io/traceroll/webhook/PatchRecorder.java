package io.traceroll.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Applies RFC 6902 "add", "replace" and "remove" operations to a working copy of a document and
 * records them, so the mutator reads the document as its own changes leave it and the recorded
 * patch turns the original into the same result.
 */
final class PatchRecorder {
  private final ObjectNode document;
  private final ArrayNode operations = JsonNodeFactory.instance.arrayNode();

  PatchRecorder(ObjectNode document) {
    this.document = document;
  }

  ObjectNode document() {
    return document;
  }

  ArrayNode operations() {
    return operations;
  }

  /** Sets a field of an object, creating it ("add") or overwriting it ("replace"). */
  void set(String objectPath, String field, JsonNode value) {
    ObjectNode target = (ObjectNode) document.at(objectPath);
    String op = target.has(field) ? "replace" : "add";
    target.set(field, value);
    record(op, objectPath + "/" + escape(field), value);
  }

  /** Ensures an object exists at {@code parentPath/field} and returns it. */
  ObjectNode object(String parentPath, String field) {
    ObjectNode parent = (ObjectNode) document.at(parentPath);
    JsonNode existing = parent.get(field);
    if (existing instanceof ObjectNode o) {
      return o;
    }
    set(parentPath, field, JsonNodeFactory.instance.objectNode());
    return (ObjectNode) parent.get(field);
  }

  /** Appends to the array {@code parentPath/field}, creating the array when missing. */
  void append(String parentPath, String field, JsonNode value) {
    insert(parentPath, field, -1, value);
  }

  /** Inserts into the array {@code parentPath/field} at index (-1 appends). */
  void insert(String parentPath, String field, int index, JsonNode value) {
    ObjectNode parent = (ObjectNode) document.at(parentPath);
    JsonNode existing = parent.get(field);
    if (!(existing instanceof ArrayNode array)) {
      ArrayNode created = JsonNodeFactory.instance.arrayNode().add(value);
      set(parentPath, field, created);
      return;
    }
    String path = parentPath + "/" + escape(field);
    if (index < 0 || index >= array.size()) {
      array.add(value);
      record("add", path + "/-", value);
    } else {
      array.insert(index, value);
      record("add", path + "/" + index, value);
    }
  }

  /** Removes an element of the array {@code arrayPath}. */
  void removeAt(String arrayPath, int index) {
    ((ArrayNode) document.at(arrayPath)).remove(index);
    operations.addObject().put("op", "remove").put("path", arrayPath + "/" + index);
  }

  private void record(String op, String path, JsonNode value) {
    ObjectNode operation = operations.addObject();
    operation.put("op", op);
    operation.put("path", path);
    operation.set("value", value.deepCopy());
  }

  /** JSON Pointer escaping of one reference token. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
