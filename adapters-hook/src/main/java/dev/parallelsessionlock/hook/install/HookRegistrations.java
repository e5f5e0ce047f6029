package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.Rewake;
import dev.parallelsessionlock.hook.runtime.ShellCommands;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;

/**
 * The hook entries the installer adds to an agent's settings, and their removal, as pure transformations of
 * parsed JSON. Entries are recognised by {@link #MARKER} in their command, so user hooks are never touched.
 */
public final class HookRegistrations {

  /** A shell comment at the end of every registered command; how install and uninstall find their own. */
  public static final String MARKER = "# parallel-session-lock";

  /**
   * One event to register.
   *
   * @param event the agent's event name
   * @param matched whether the group carries the agent's mutating-tool matcher
   * @param timeoutSeconds the handler's timeout (Gemini's file takes milliseconds; the installer converts)
   * @param passEvent whether the command passes the event name (Copilot's camelCase payloads name none)
   */
  public record Registration(String event, boolean matched, int timeoutSeconds, boolean passEvent) {}

  /**
   * The timeout of the events before a tool, in seconds: a call that meets a held key waits in line there, up to
   * {@code SESSION_LOCK_WAIT_MS} (20 s by default, 25 s at most, cut so the hook ends within 27 s). 30 s is Copilot
   * CLI's own default and below every other client's limit (Gemini CLI's 60 s, Claude Code's 60 s, Codex's 600 s).
   */
  public static final int PRE_TOOL_TIMEOUT = 30;

  /** What each agent gets registered. SessionEnd budgets are short: 1.5 s in Claude Code, 3 s in Codex. */
  public static List<Registration> registrations(Agent agent) {
    switch (agent) {
      case COPILOT:
        return List.of(
            new Registration("preToolUse", true, PRE_TOOL_TIMEOUT, true),
            new Registration("postToolUse", true, 10, true),
            new Registration("postToolUseFailure", true, 10, true),
            new Registration("agentStop", false, 10, true),
            new Registration("sessionEnd", false, 5, true));
      case CODEX:
        return List.of(
            new Registration("PreToolUse", true, PRE_TOOL_TIMEOUT, false),
            new Registration("PostToolUse", true, 10, false),
            new Registration("Stop", false, 10, false),
            new Registration("SessionEnd", false, 3, false));
      case GEMINI:
        return List.of(
            new Registration("BeforeTool", true, PRE_TOOL_TIMEOUT, false),
            new Registration("AfterTool", true, 10, false),
            new Registration("AfterAgent", false, 10, false),
            new Registration("SessionEnd", false, 5, false));
      default:
        return List.of(
            new Registration("PreToolUse", true, PRE_TOOL_TIMEOUT, false),
            new Registration("PostToolUse", true, 10, false),
            new Registration("PostToolUseFailure", true, 10, false),
            new Registration("Stop", false, 10, false),
            new Registration("SessionEnd", false, 5, false));
    }
  }

  private HookRegistrations() {}

  /**
   * The shell command an agent runs. When the launcher is gone it still exits 0 (a missing program exits 127,
   * and Copilot CLI denies every tool call when a preToolUse hook fails) but says so, once per agent process
   * ({@code $PPID}): as a {@code systemMessage} where the agent shows one, on stderr for Copilot CLI.
   */
  public static String command(String launcher, Agent agent, Registration registration) {
    return command(launcher, agent, registration, false);
  }

  /** The command, in files mode ({@code hook --mode files}) when {@code filesMode}. */
  public static String command(String launcher, Agent agent, Registration registration, boolean filesMode) {
    // No command to run here: the launcher that would run it is the one that is gone.
    String notice = "session-lock: its launcher is missing (install home removed?); the workspace lock is OFF"
        + " until it is installed again";
    String say = agent == Agent.COPILOT
        ? "echo '" + notice + "' >&2"
        : "echo '{\"systemMessage\":\"" + notice + "\"}'";
    return "f=" + ShellCommands.quote(launcher) + "; [ -x \"$f\" ] && exec \"$f\" hook " + (filesMode ? "--mode files " : "") + "--agent " + agent.id
        + (registration.passEvent() ? " " + registration.event() : "")
        + "; m=\"${TMPDIR:-/tmp}/session-lock-gone-$(id -u)-$PPID\"; [ -e \"$m\" ] || { : > \"$m\"; " + say
        + "; }; exit 0 " + MARKER;
  }

  /**
   * Whether {@code agent} gets a waker beside its handler for {@code event}: Claude Code, on {@code Stop}, the one
   * client with a hook that runs in the background and wakes the model ({@code asyncRewake}). The others get no wake;
   * their deny says when to retry.
   */
  public static boolean wakes(Agent agent, String event) {
    return agent == Agent.CLAUDE && event.equals("Stop");
  }

  /** The command of the waker ({@code hook --wake}), with the same guard for a missing launcher, but quiet. */
  public static String wakeCommand(String launcher, Agent agent, boolean filesMode) {
    return "f=" + ShellCommands.quote(launcher) + "; [ -x \"$f\" ] && exec \"$f\" hook "
        + (filesMode ? "--mode files " : "") + "--agent " + agent.id + " --wake; exit 0 " + MARKER;
  }

  /**
   * The waker's handler: run at the end of a turn with {@code asyncRewake}, so an exit 2 wakes the model with its
   * stderr. Without {@code async}: Claude Code then runs it in the background in interactive sessions, and in
   * {@code claude -p} (no streaming input) in the foreground, where the Stop waits for it and its exit 2 continues
   * the turn. Its timeout is {@link Rewake#TIMEOUT_SECONDS}; the waker ends inside it ({@link Rewake#BOUND}).
   */
  static JsonObject wakeHandler(String launcher, Agent agent, boolean filesMode) {
    JsonObject handler = new JsonObject();
    handler.put("type", "command");
    handler.put("command", wakeCommand(launcher, agent, filesMode));
    handler.put("timeout", Rewake.TIMEOUT_SECONDS);
    handler.put("asyncRewake", true);
    return handler;
  }

  /** Whether {@code handler} is our waker. */
  static boolean isWaker(Object handler) {
    return isOurs(handler, "command") && ((String) ((JsonObject) handler).get("command")).contains(" --wake;");
  }

  static boolean isOurs(Object handler, String commandField) {
    return handler instanceof JsonObject
        && ((JsonObject) handler).get(commandField) instanceof String
        && ((String) ((JsonObject) handler).get(commandField)).contains(MARKER);
  }

  /** One matcher group holding our handler, as the agent's settings spell it. */
  static JsonObject group(Agent agent, Registration registration, String launcher) {
    return group(agent, registration, launcher, false);
  }

  /** The group for one event; {@code filesMode} registers {@code hook --mode files}. */
  static JsonObject group(Agent agent, Registration registration, String launcher, boolean filesMode) {
    JsonObject handler = new JsonObject();
    handler.put("type", "command");
    if (agent == Agent.GEMINI) {
      handler.put("name", "session-lock");
    }
    handler.put("command", command(launcher, agent, registration, filesMode));
    handler.put("timeout", agent == Agent.GEMINI ? registration.timeoutSeconds() * 1000 : registration.timeoutSeconds());
    JsonObject group = new JsonObject();
    if (registration.matched()) {
      group.put("matcher", agent.matcher());
    }
    group.put("hooks", wakes(agent, registration.event())
        ? new JsonArray(java.util.List.of(handler, wakeHandler(launcher, agent, filesMode)))
        : new JsonArray(java.util.List.of(handler)));
    return group;
  }

  /** The whole {@code .github/hooks/session-lock.json} for Copilot CLI. */
  static JsonObject copilotHooksFile(String launcher) {
    return copilotHooksFile(launcher, false);
  }

  /** The same, registering {@code hook --mode files} when {@code filesMode}. */
  static JsonObject copilotHooksFile(String launcher, boolean filesMode) {
    JsonObject hooks = new JsonObject();
    for (Registration registration : registrations(Agent.COPILOT)) {
      JsonObject handler = new JsonObject();
      handler.put("type", "command");
      handler.put("bash", command(launcher, Agent.COPILOT, registration, filesMode));
      handler.put("timeoutSec", registration.timeoutSeconds());
      if (registration.matched()) {
        handler.put("matcher", Agent.COPILOT.matcher());
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
