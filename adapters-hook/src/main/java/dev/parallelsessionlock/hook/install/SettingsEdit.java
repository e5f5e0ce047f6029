package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.runtime.Agent;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import io.vavr.control.Either;

/**
 * Our hook entries in a settings file shaped event -> matcher groups -> handlers (Claude Code's
 * {@code settings.json}, Codex's {@code hooks.json}, Gemini CLI's {@code settings.json}), added and removed as
 * text splices: every byte that is not ours stays as the user wrote it, a second install changes nothing, and
 * install then uninstall gives back the same bytes. A file that is not a JSON object, or whose {@code hooks}
 * or event lists have the wrong type, is refused with one line and left alone.
 */
final class SettingsEdit {

  private SettingsEdit() {}

  /** {@code text} (empty for a missing file) with our groups for {@code agent} in place. */
  static Either<String, String> install(String text, Agent agent, String launcher) {
    return install(text, agent, launcher, false);
  }

  /** The same, registering the hook in files mode when {@code filesMode}. */
  static Either<String, String> install(String text, Agent agent, String launcher, boolean filesMode) {
    String current = text.isBlank() ? "{}" : text;
    Either<String, JsonObject> parsed = check(current);
    if (parsed.isLeft()) {
      return Either.left(parsed.getLeft());
    }
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(agent)) {
      current = ensureGroup(current, registration.event(), HookRegistrations.group(agent, registration, launcher, filesMode));
    }
    return Either.right(current.equals(text.isBlank() ? "{}" : text) ? text : current);
  }

  /** {@code text} without any of our handlers; groups, event lists and {@code hooks} we empty go too. */
  static Either<String, String> uninstall(String text) {
    if (text.isBlank()) {
      return Either.right(text);
    }
    Either<String, JsonObject> parsed = check(text);
    if (parsed.isLeft()) {
      return Either.left(parsed.getLeft());
    }
    String current = text;
    for (boolean changed = true; changed; ) {
      changed = false;
      JsonText.Node root = JsonText.parse(current);
      JsonText.Member hooksMember = root.member("hooks");
      if (hooksMember == null || hooksMember.value.kind != '{') {
        break;
      }
      JsonText.Node hooks = hooksMember.value;
      for (int e = 0; e < hooks.members.size() && !changed; e++) {
        JsonText.Node groups = hooks.members.get(e).value;
        if (groups.kind != '[') {
          continue;
        }
        for (int g = 0; g < groups.elements.size() && !changed; g++) {
          JsonText.Node group = groups.elements.get(g);
          JsonText.Member handlersMember = group.kind == '{' ? group.member("hooks") : null;
          if (handlersMember == null || handlersMember.value.kind != '[') {
            continue;
          }
          JsonText.Node handlers = handlersMember.value;
          for (int h = 0; h < handlers.elements.size() && !changed; h++) {
            if (!isOurs(current, handlers.elements.get(h))) {
              continue;
            }
            changed = true;
            if (handlers.elements.size() > 1) {
              current = JsonText.removePart(current, handlers, h);
            } else if (groups.elements.size() > 1) {
              current = JsonText.removePart(current, groups, g);
            } else if (hooks.members.size() > 1) {
              current = JsonText.removePart(current, hooks, e);
            } else {
              current = JsonText.removePart(current, root, root.members.indexOf(hooksMember));
            }
          }
        }
      }
    }
    return Either.right(current);
  }

  /** Whether the file holds nothing but an empty object (what uninstall leaves of a file install created). */
  static boolean isEmptyObject(String text) {
    return text.isBlank() || JsonText.parse(text).members.isEmpty();
  }

  private static Either<String, JsonObject> check(String text) {
    JsonObject settings;
    try {
      settings = JsonParser.object().from(text);
    } catch (JsonParserException e) {
      return Either.left("is not a JSON object (" + e.getMessage().replace('\n', ' ') + ")");
    }
    Object hooks = settings.get("hooks");
    if (hooks == null) {
      return Either.right(settings);
    }
    if (!(hooks instanceof JsonObject)) {
      return Either.left("\"hooks\" is not an object");
    }
    for (java.util.Map.Entry<String, Object> event : ((JsonObject) hooks).entrySet()) {
      if (!(event.getValue() instanceof JsonArray)) {
        return Either.left("\"hooks\".\"" + event.getKey() + "\" is not a list");
      }
    }
    return Either.right(settings);
  }

  /** Adds {@code group} to {@code hooks.event}, replacing an older group of ours, creating what is missing. */
  static String ensureGroup(String text, String event, JsonObject group) {
    JsonText.Node root = JsonText.parse(text);
    String unit = JsonText.indentUnit(text, root);
    JsonText.Member hooksMember = root.member("hooks");
    if (hooksMember == null) {
      return ensureGroup(append(text, root, unit, "\"hooks\": {}"), event, group);
    }
    JsonText.Node hooks = hooksMember.value;
    JsonText.Member eventMember = hooks.member(event);
    if (eventMember == null) {
      return ensureGroup(append(text, hooks, unit, JsonWriter.string(event) + ": []"), event, group);
    }
    JsonText.Node groups = eventMember.value;
    for (int g = 0; g < groups.elements.size(); g++) {
      JsonText.Node existing = groups.elements.get(g);
      if (containsOurs(text, existing)) {
        if (sameJson(text.substring(existing.start, existing.end), group)) {
          return text;
        }
        String indent = JsonText.lineIndent(text, existing.start);
        return JsonText.replacePart(text, groups, g, render(group, unit, indent));
      }
    }
    return append(text, groups, unit, null, group);
  }

  private static String append(String text, JsonText.Node container, String unit, String member) {
    return append(text, container, unit, member, null);
  }

  /** Appends a member (text) or an element (JSON value) to {@code container}, in the file's layout. */
  private static String append(String text, JsonText.Node container, String unit, String member, JsonObject element) {
    boolean empty = container.members.isEmpty() && container.elements.isEmpty();
    boolean multiline = empty ? !unit.isEmpty() : text.substring(container.start, container.end).indexOf('\n') >= 0;
    String closing = JsonText.lineIndent(text, empty ? container.start : container.end - 1);
    String child;
    if (empty) {
      child = closing + unit;
    } else {
      int last = (container.kind == '{' ? container.members.size() : container.elements.size()) - 1;
      child = JsonText.lineIndent(text, JsonText.partStart(container, last));
    }
    String item = element == null ? member : render(element, multiline ? unit : "", child);
    return JsonText.appendPart(text, container, item, child, closing, multiline);
  }

  /** {@code value} as JSON text for a line indented by {@code indent}; on one line when {@code unit} is empty. */
  static String render(JsonObject value, String unit, String indent) {
    StringBuilder out = new StringBuilder();
    render(ordered(value), unit, indent, out);
    return out.toString();
  }

  /** JSON as people lay it out: {@code "key": value}, one member a line, nested by {@code unit}. */
  @SuppressWarnings("unchecked")
  private static void render(Object value, String unit, String indent, StringBuilder out) {
    String inner = indent + unit;
    String open = unit.isEmpty() ? "" : "\n" + inner;
    String close = unit.isEmpty() ? "" : "\n" + indent;
    String separator = unit.isEmpty() ? ", " : ",\n" + inner;
    if (value instanceof java.util.Map) {
      out.append('{').append(open);
      boolean first = true;
      for (java.util.Map.Entry<String, Object> entry : ((java.util.Map<String, Object>) value).entrySet()) {
        out.append(first ? "" : separator).append(JsonWriter.string(entry.getKey())).append(": ");
        render(entry.getValue(), unit, inner, out);
        first = false;
      }
      out.append(close).append('}');
    } else if (value instanceof java.util.List) {
      out.append('[').append(open);
      boolean first = true;
      for (Object item : (java.util.List<Object>) value) {
        out.append(first ? "" : separator);
        render(item, unit, inner, out);
        first = false;
      }
      out.append(close).append(']');
    } else {
      out.append(JsonWriter.string(value));
    }
  }

  /** nanojson's objects do not keep key order; ours are written in a fixed order for stable bytes. */
  private static Object ordered(Object value) {
    if (value instanceof JsonObject object) {
      java.util.Map<String, Object> sorted = new java.util.LinkedHashMap<>();
      for (String key : new String[] {"matcher", "type", "name", "command", "bash", "timeout", "timeoutSec", "hooks"}) {
        if (object.containsKey(key)) {
          sorted.put(key, ordered(object.get(key)));
        }
      }
      for (java.util.Map.Entry<String, Object> entry : object.entrySet()) {
        sorted.putIfAbsent(entry.getKey(), ordered(entry.getValue()));
      }
      return sorted;
    }
    if (value instanceof JsonArray array) {
      java.util.List<Object> items = new java.util.ArrayList<>();
      for (Object item : array) {
        items.add(ordered(item));
      }
      return items;
    }
    return value;
  }

  private static boolean sameJson(String text, JsonObject wanted) {
    try {
      return JsonParser.object().from(text).equals(wanted);
    } catch (JsonParserException e) {
      return false;
    }
  }

  private static boolean isOurs(String text, JsonText.Node handler) {
    try {
      return handler.kind == '{'
          && HookRegistrations.isOurs(JsonParser.object().from(text.substring(handler.start, handler.end)), "command");
    } catch (JsonParserException e) {
      return false;
    }
  }

  private static boolean containsOurs(String text, JsonText.Node group) {
    JsonText.Member handlers = group.kind == '{' ? group.member("hooks") : null;
    if (handlers == null || handlers.value.kind != '[') {
      return false;
    }
    for (JsonText.Node handler : handlers.value.elements) {
      if (isOurs(text, handler)) {
        return true;
      }
    }
    return false;
  }
}
