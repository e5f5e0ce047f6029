package dev.parallelsessionlock.hook.install;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import io.vavr.collection.List;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * Codex runs a hook only after a person trusted it in {@code /hooks}; untrusted hooks are skipped without a
 * word. Trust is kept in {@code $CODEX_HOME/config.toml} as
 * {@code [hooks.state."<hooks.json path>:<event>:<group>:<handler>"] trusted_hash = "sha256:<hex>"}, where the
 * event is in snake case and the hash is SHA-256 of the handler's normalized identity, as Codex computes it:
 * the JSON of {@code {event_name, matcher, hooks: [{type, command, timeout, async}]}} (absent fields left out,
 * the default timeout 600 s filled in), keys sorted, no spaces. Checked against Codex 0.169.0's
 * {@code app-server} {@code hooks/list} (CodexTrustIT).
 */
final class CodexTrust {

  private CodexTrust() {}

  /** One of our handlers in a hooks.json: its trust key and the hash Codex expects for it. */
  record Entry(String key, String hash) {}

  /** Our handlers in {@code hooksJson} (the text of {@code file}). */
  static java.util.List<Entry> ours(Path file, String hooksJson) {
    java.util.List<Entry> entries = new ArrayList<>();
    JsonObject root;
    try {
      root = JsonParser.object().from(hooksJson);
    } catch (JsonParserException e) {
      return entries;
    }
    if (!(root.get("hooks") instanceof JsonObject hooks)) {
      return entries;
    }
    for (Map.Entry<String, Object> event : hooks.entrySet()) {
      if (!(event.getValue() instanceof JsonArray groups)) {
        continue;
      }
      String label = snakeCase(event.getKey());
      for (int g = 0; g < groups.size(); g++) {
        if (!(groups.get(g) instanceof JsonObject group) || !(group.get("hooks") instanceof JsonArray handlers)) {
          continue;
        }
        for (int h = 0; h < handlers.size(); h++) {
          if (HookRegistrations.isOurs(handlers.get(h), "command")) {
            entries.add(new Entry(file.toAbsolutePath() + ":" + label + ":" + g + ":" + h,
                hash(label, group.get("matcher"), (JsonObject) handlers.get(h))));
          }
        }
      }
    }
    return entries;
  }

  /** Records trust for our handlers in {@code file}, as /hooks would. */
  static List<String> trust(Installer installer, Path file, String hooksJson) throws IOException {
    Path config = installer.codexHome().resolve("config.toml");
    String text = Files.exists(config) ? Files.readString(config) : "";
    String updated = text;
    for (Entry entry : ours(file, hooksJson)) {
      updated = withTrust(updated, entry);
    }
    if (updated.equals(text)) {
      return List.of("Codex already trusts these hooks (" + config + ")");
    }
    installer.write(config, text, updated, "recorded trust in the session-lock hooks in");
    return List.of("trusted the session-lock hooks for Codex in " + config
        + " (what /hooks would record; Codex re-asks if a hook changes)");
  }

  /** Removes the trust entries of our handlers in {@code file} (before their removal from it). */
  static List<String> untrust(Installer installer, Path file, String hooksJsonBefore) throws IOException {
    Path config = installer.codexHome().resolve("config.toml");
    if (!Files.exists(config)) {
      return List.empty();
    }
    String text = Files.readString(config);
    String updated = text;
    for (Entry entry : ours(file, hooksJsonBefore)) {
      updated = withoutTable(updated, header(entry.key()));
    }
    if (updated.equals(text)) {
      return List.empty();
    }
    installer.write(config, text, updated, "removed the trust in the session-lock hooks from");
    return List.of("removed the Codex trust entries of the session-lock hooks from " + config);
  }

  /** For doctor: what Codex would say of each of our handlers: trusted, modified or untrusted. */
  static Map<String, String> status(Path codexHome, Path file, String hooksJson) throws IOException {
    Path config = codexHome.resolve("config.toml");
    String text = Files.exists(config) ? Files.readString(config) : "";
    Map<String, String> status = new TreeMap<>();
    for (Entry entry : ours(file, hooksJson)) {
      String found = trustedHash(text, header(entry.key()));
      status.put(entry.key(), found == null ? "untrusted" : found.equals(entry.hash()) ? "trusted" : "modified");
    }
    return status;
  }

  static String snakeCase(String event) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < event.length(); i++) {
      char c = event.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static String hash(String eventLabel, Object matcher, JsonObject handler) {
    Map<String, Object> normalized = new TreeMap<>();
    normalized.put("type", "command");
    normalized.put("command", handler.get("command"));
    Object timeout = handler.get("timeout");
    long seconds = timeout instanceof Number ? Math.max(1, ((Number) timeout).longValue()) : 600;
    normalized.put("timeout", seconds);
    normalized.put("async", Boolean.TRUE.equals(handler.get("async")));
    if (handler.get("statusMessage") instanceof String) {
      normalized.put("statusMessage", handler.get("statusMessage"));
    }
    Map<String, Object> identity = new TreeMap<>();
    identity.put("event_name", eventLabel);
    if (matcher instanceof String) {
      identity.put("matcher", matcher);
    }
    identity.put("hooks", java.util.List.of(normalized));
    StringBuilder json = new StringBuilder();
    canonical(identity, json);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.toString().getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder("sha256:");
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Compact JSON with sorted keys, escaped as serde_json escapes. */
  @SuppressWarnings("unchecked")
  private static void canonical(Object value, StringBuilder out) {
    if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> entry : new TreeMap<>((Map<String, Object>) value).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(entry.getKey(), out);
        out.append(':');
        canonical(entry.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof java.util.List) {
      out.append('[');
      boolean first = true;
      for (Object item : (java.util.List<Object>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        canonical(item, out);
      }
      out.append(']');
    } else if (value instanceof String text) {
      string(text, out);
    } else {
      out.append(value);
    }
  }

  private static void string(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  // ---- config.toml, edited line by line: only our tables change -----------------------------------------

  static String header(String key) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : key.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\');
      }
      quoted.append(c);
    }
    return "[hooks.state." + quoted.append('"') + "]";
  }

  private static String tomlString(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String withTrust(String text, Entry entry) {
    String header = header(entry.key());
    String line = "trusted_hash = " + tomlString(entry.hash());
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].trim().equals(header)) {
        int j = i + 1;
        for (; j < lines.length && !lines[j].trim().startsWith("["); j++) {
          if (lines[j].trim().startsWith("trusted_hash")) {
            if (lines[j].equals(line)) {
              return text;
            }
            lines[j] = line;
            return String.join("\n", lines);
          }
        }
        java.util.List<String> all = new ArrayList<>(java.util.List.of(lines));
        all.add(i + 1, line);
        return String.join("\n", all);
      }
    }
    String base = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
    return base + (base.isEmpty() ? "" : "\n") + header + "\n" + line + "\n";
  }

  private static String trustedHash(String text, String header) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].trim().equals(header)) {
        for (int j = i + 1; j < lines.length && !lines[j].trim().startsWith("["); j++) {
          String trimmed = lines[j].trim();
          if (trimmed.startsWith("trusted_hash")) {
            int open = trimmed.indexOf('"');
            int close = trimmed.lastIndexOf('"');
            return open >= 0 && close > open ? trimmed.substring(open + 1, close) : "";
          }
        }
      }
    }
    return null;
  }

  /** {@code text} without the table {@code header} (and the blank line install put before it). */
  private static String withoutTable(String text, String header) {
    java.util.List<String> lines = new ArrayList<>(java.util.List.of(text.split("\n", -1)));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(header)) {
        int j = i + 1;
        while (j < lines.size() && !lines.get(j).trim().startsWith("[")
            && (lines.get(j).trim().startsWith("trusted_hash") || lines.get(j).trim().startsWith("enabled"))) {
          j++;
        }
        int from = i > 0 && lines.get(i - 1).isEmpty() ? i - 1 : i;
        lines.subList(from, j).clear();
        return String.join("\n", lines);
      }
    }
    return text;
  }
}
