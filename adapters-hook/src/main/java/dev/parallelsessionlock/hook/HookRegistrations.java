package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;

/**
 * The hook entries the installer adds to an agent's settings, and their removal, as pure transformations of
 * parsed JSON. Entries are recognised by {@link #MARKER} in their command, so user hooks are never touched.
 */
final class HookRegistrations {

  /** A shell comment at the end of every registered command; how install and uninstall find their own. */
  static final String MARKER = "# parallel-session-lock";

  /** One event to register: name, matcher (or null), timeout in seconds, and the event argument to pass. */
  record Registration(String event, String matcher, int timeoutSeconds, String eventArgument) {}

  static final List<Registration> CLAUDE = List.of(
      new Registration("PreToolUse", HookEvent.CLAUDE_MATCHER, 10, ""),
      new Registration("PostToolUse", HookEvent.CLAUDE_MATCHER, 10, ""),
      new Registration("PostToolUseFailure", HookEvent.CLAUDE_MATCHER, 10, ""),
      new Registration("Stop", null, 10, ""),
      // SessionEnd hooks share a 1.5 s budget unless a hook asks for more.
      new Registration("SessionEnd", null, 5, ""));

  static final List<Registration> COPILOT = List.of(
      new Registration("preToolUse", HookEvent.COPILOT_MATCHER, 10, " preToolUse"),
      new Registration("postToolUse", HookEvent.COPILOT_MATCHER, 10, " postToolUse"),
      new Registration("postToolUseFailure", HookEvent.COPILOT_MATCHER, 10, " postToolUseFailure"),
      new Registration("agentStop", null, 10, " agentStop"),
      new Registration("sessionEnd", null, 5, " sessionEnd"));

  private HookRegistrations() {}

  /**
   * The shell command an agent runs. It exits 0 when the launcher is gone, because a missing program exits 127
   * and Copilot CLI denies every tool call when a preToolUse hook fails.
   */
  static String command(String launcher, String eventArgument) {
    String quoted = "'" + launcher.replace("'", "'\\''") + "'";
    return "f=" + quoted + "; [ -x \"$f\" ] && exec \"$f\" hook" + eventArgument + "; exit 0 " + MARKER;
  }

  static boolean isOurs(Object handler, String commandField) {
    return handler instanceof JsonObject
        && ((JsonObject) handler).get(commandField) instanceof String
        && ((String) ((JsonObject) handler).get(commandField)).contains(MARKER);
  }

  /**
   * Claude Code settings with our hooks in place; every other key and hook kept as it was. Settings that
   * already hold exactly our hooks come back unchanged, wherever they stand among the user's.
   */
  static Either<String, JsonObject> withClaudeHooks(JsonObject settings, String launcher) {
    Either<String, JsonObject> fresh = withoutClaudeHooks(settings).map(clean -> appendClaudeHooks(clean, launcher));
    return fresh.map(candidate -> sameOwnHooks(settings, candidate) ? deepCopy(settings) : candidate);
  }

  private static boolean sameOwnHooks(JsonObject a, JsonObject b) {
    return ownClaudeGroups(a).equals(ownClaudeGroups(b)) && ownClaudeGroups(a).size() == CLAUDE.size();
  }

  /** Event name and group of each of our handlers, in file order. */
  private static java.util.List<Object> ownClaudeGroups(JsonObject settings) {
    java.util.List<Object> own = new java.util.ArrayList<>();
    if (settings.get("hooks") instanceof JsonObject) {
      ((JsonObject) settings.get("hooks")).forEach((event, groups) -> {
        if (groups instanceof JsonArray) {
          for (Object group : (JsonArray) groups) {
            if (group instanceof JsonObject && ((JsonObject) group).get("hooks") instanceof JsonArray
                && ((JsonArray) ((JsonObject) group).get("hooks")).stream().anyMatch(h -> isOurs(h, "command"))) {
              own.add(java.util.List.of(event, group));
            }
          }
        }
      });
    }
    own.sort(java.util.Comparator.comparing(Object::toString));
    return own;
  }

  private static JsonObject appendClaudeHooks(JsonObject clean, String launcher) {
    {
      JsonObject hooks = (JsonObject) clean.computeIfAbsent("hooks", k -> new JsonObject());
      for (Registration registration : CLAUDE) {
        JsonObject handler = new JsonObject();
        handler.put("type", "command");
        handler.put("command", command(launcher, registration.eventArgument()));
        handler.put("timeout", registration.timeoutSeconds());
        JsonObject group = new JsonObject();
        if (registration.matcher() != null) {
          group.put("matcher", registration.matcher());
        }
        group.put("hooks", new JsonArray(java.util.List.of(handler)));
        ((JsonArray) hooks.computeIfAbsent(registration.event(), k -> new JsonArray())).add(group);
      }
      return clean;
    }
  }

  /**
   * Claude Code settings without our hooks: our handlers go, a group they leave empty goes, an event list left
   * empty goes, and {@code hooks} goes when nothing is left in it.
   */
  static Either<String, JsonObject> withoutClaudeHooks(JsonObject settings) {
    JsonObject copy = deepCopy(settings);
    Either<String, Option<JsonObject>> found = hooksOf(copy);
    if (found.isLeft() || found.get().isEmpty()) {
      return found.map(none -> copy);
    }
    JsonObject hooks = found.get().get();
    for (String event : java.util.List.copyOf(hooks.keySet())) {
      if (!(hooks.get(event) instanceof JsonArray)) {
        continue; // not ours to judge; left exactly as it is
      }
      JsonArray groups = (JsonArray) hooks.get(event);
      boolean touched = false;
      for (int i = groups.size() - 1; i >= 0; i--) {
        if (!(groups.get(i) instanceof JsonObject) || !(((JsonObject) groups.get(i)).get("hooks") instanceof JsonArray)) {
          continue;
        }
        JsonArray handlers = (JsonArray) ((JsonObject) groups.get(i)).get("hooks");
        boolean removed = handlers.removeIf(handler -> isOurs(handler, "command"));
        touched |= removed;
        if (removed && handlers.isEmpty()) {
          groups.remove(i);
        }
      }
      if (touched && groups.isEmpty()) {
        hooks.remove(event);
      }
    }
    if (hooks.isEmpty()) {
      copy.remove("hooks");
    }
    return Either.right(copy);
  }

  /** The whole {@code .github/hooks/session-lock.json} for Copilot CLI. */
  static JsonObject copilotHooksFile(String launcher) {
    JsonObject hooks = new JsonObject();
    for (Registration registration : COPILOT) {
      JsonObject handler = new JsonObject();
      handler.put("type", "command");
      handler.put("bash", command(launcher, registration.eventArgument()));
      handler.put("timeoutSec", registration.timeoutSeconds());
      if (registration.matcher() != null) {
        handler.put("matcher", registration.matcher());
      }
      hooks.put(registration.event(), new JsonArray(java.util.List.of(handler)));
    }
    JsonObject file = new JsonObject();
    file.put("version", 1);
    file.put("hooks", hooks);
    return file;
  }

  /** A Copilot hooks file without our entries; the file can be deleted when this has no hooks left. */
  static Either<String, JsonObject> withoutCopilotHooks(JsonObject file) {
    JsonObject copy = deepCopy(file);
    Either<String, Option<JsonObject>> found = hooksOf(copy);
    if (found.isLeft() || found.get().isEmpty()) {
      return found.map(none -> copy);
    }
    JsonObject hooks = found.get().get();
    for (String event : java.util.List.copyOf(hooks.keySet())) {
      if (hooks.get(event) instanceof JsonArray) {
        JsonArray handlers = (JsonArray) hooks.get(event);
        if (handlers.removeIf(handler -> isOurs(handler, "bash")) && handlers.isEmpty()) {
          hooks.remove(event);
        }
      }
    }
    return Either.right(copy);
  }

  /** The {@code hooks} object of a settings file: none when absent, an error when it is not an object. */
  private static Either<String, Option<JsonObject>> hooksOf(JsonObject settings) {
    Object hooks = settings.get("hooks");
    if (hooks == null) {
      return Either.right(Option.none());
    }
    return hooks instanceof JsonObject
        ? Either.right(Option.some((JsonObject) hooks))
        : Either.left("\"hooks\" is not an object");
  }

  @SuppressWarnings("unchecked")
  static <T> T deepCopy(T value) {
    if (value instanceof JsonObject) {
      JsonObject copy = new JsonObject();
      ((JsonObject) value).forEach((k, v) -> copy.put(k, deepCopy(v)));
      return (T) copy;
    }
    if (value instanceof JsonArray) {
      JsonArray copy = new JsonArray();
      ((JsonArray) value).forEach(v -> copy.add(deepCopy(v)));
      return (T) copy;
    }
    return value;
  }
}
