package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import io.vavr.control.Option;
import java.util.Locale;

/**
 * One hook invocation, normalised across agents. Claude Code (and Copilot's PascalCase hooks) send
 * {@code hook_event_name}, {@code session_id}, {@code tool_name}; Copilot's camelCase hooks send
 * {@code sessionId}, {@code toolName}, {@code toolArgs} and no event name, so the installer passes it as an
 * argument.
 *
 * @param kind what the lock does for this event
 * @param eventName the event as the agent named it
 * @param sessionId the agent's session id, when it sent one
 * @param cwd the payload's working directory
 * @param toolName the tool about to run (tool events)
 * @param toolTimeoutMs the timeout the tool call declares ({@code tool_input.timeout} or {@code timeout_ms}, in
 *     milliseconds, as Claude Code's Bash has it), when it declares one
 * @param command a shell tool's command line ({@code tool_input.command} / {@code toolArgs.command})
 * @param backgroundWorkRunning Claude Code's {@code Stop} lists background tasks (subagents) still running
 */
record HookEvent(
    Kind kind, String eventName, Option<String> sessionId, Option<String> cwd, Option<String> toolName,
    Option<Long> toolTimeoutMs, Option<String> command, boolean backgroundWorkRunning) {

  HookEvent(Kind kind, String eventName, Option<String> sessionId, Option<String> cwd, Option<String> toolName,
      Option<Long> toolTimeoutMs) {
    this(kind, eventName, sessionId, cwd, toolName, toolTimeoutMs, Option.none(), false);
  }

  /** What the lock does per event. */
  enum Kind {
    /** PreToolUse / preToolUse / BeforeTool: acquire before a mutating tool. */
    PRE_TOOL,
    /** PostToolUse / PostToolUseFailure / AfterTool: refresh the lease after a mutating tool. */
    POST_TOOL,
    /** Stop / agentStop / AfterAgent / SessionEnd / sessionEnd: release. */
    END,
    /** Anything else (SubagentStop must not release the parent's lock): nothing. */
    IGNORED
  }

  /**
   * Whether this end event ends the session ({@code SessionEnd}, Copilot's {@code sessionEnd}), not only a turn
   * ({@code Stop}, {@code agentStop}, Gemini's {@code AfterAgent}): files mode keeps uncommitted work past a turn.
   */
  boolean endsSession() {
    return kind == Kind.END && eventName.equalsIgnoreCase("sessionend");
  }

  boolean isMutatingTool() {
    return toolName.isDefined() && Agent.MUTATING_TOOLS.contains(toolName.get());
  }

  /** A shell tool whose command only reads (see {@link ShellCommands}): it needs no lease. */
  boolean isReadOnlyShell() {
    return toolName.isDefined() && Agent.SHELL_TOOLS.contains(toolName.get())
        && command.isDefined() && ShellCommands.isReadOnly(command.get());
  }

  /**
   * Reads an event from a payload; {@code eventArgument} is the name given on the command line, used when the
   * payload names none. Without either, a payload with a tool and a result is a post-tool event, one with only a
   * tool a pre-tool event.
   */
  static HookEvent from(JsonObject payload, Option<String> eventArgument) {
    Option<String> named = either(text(payload, "hook_event_name"), eventArgument);
    Option<String> tool = either(text(payload, "tool_name"), text(payload, "toolName"));
    String eventName;
    if (named.isDefined()) {
      eventName = named.get();
    } else if (payload.has("toolResult") || payload.has("tool_response")) {
      eventName = "postToolUse";
    } else {
      eventName = tool.isDefined() ? "preToolUse" : "unknown";
    }
    Option<JsonObject> args = toolArgs(payload);
    return new HookEvent(kindOf(eventName), eventName,
        either(text(payload, "session_id"), text(payload, "sessionId")), text(payload, "cwd"), tool,
        args.isDefined() ? timeoutOf(args.get()) : Option.none(),
        args.isDefined() ? text(args.get(), "command") : Option.none(),
        backgroundWorkRunning(payload));
  }

  /** The tool's arguments: {@code tool_input}, or Copilot's {@code toolArgs} (an object, or JSON in a string). */
  private static Option<JsonObject> toolArgs(JsonObject payload) {
    Object input = payload.get("tool_input");
    if (!(input instanceof JsonObject)) {
      input = payload.get("toolArgs");
    }
    if (input instanceof String) {
      try {
        input = JsonParser.object().from((String) input);
      } catch (JsonParserException notAnObject) {
        return Option.none();
      }
    }
    return input instanceof JsonObject ? Option.some((JsonObject) input) : Option.none();
  }

  /** Whether {@code background_tasks} lists one that is not finished ({@code running}, {@code pending}). */
  private static boolean backgroundWorkRunning(JsonObject payload) {
    Object tasks = payload.get("background_tasks");
    if (!(tasks instanceof JsonArray)) {
      return false;
    }
    for (Object task : (JsonArray) tasks) {
      if (task instanceof JsonObject) {
        Object status = ((JsonObject) task).get("status");
        if (!(status instanceof String) || (!status.equals("completed") && !status.equals("failed")
            && !status.equals("killed") && !status.equals("cancelled") && !status.equals("stopped"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static Option<Long> timeoutOf(JsonObject args) {
    Object timeout = args.get("timeout");
    if (!(timeout instanceof Number)) {
      timeout = args.get("timeout_ms");
    }
    if (!(timeout instanceof Number)) {
      return Option.none();
    }
    double millis = ((Number) timeout).doubleValue();
    return millis > 0 && millis < 7 * 24 * 3600_000d ? Option.some((long) millis) : Option.none();
  }

  private static Option<String> either(Option<String> first, Option<String> second) {
    return first.isDefined() ? first : second;
  }

  static Kind kindOf(String eventName) {
    switch (eventName.toLowerCase(Locale.ROOT)) {
      case "pretooluse":
      case "beforetool":
        return Kind.PRE_TOOL;
      case "posttooluse":
      case "posttoolusefailure":
      case "aftertool":
        return Kind.POST_TOOL;
      case "stop":
      case "agentstop":
      case "afteragent":
      case "sessionend":
        return Kind.END;
      default:
        return Kind.IGNORED;
    }
  }

  private static Option<String> text(JsonObject payload, String field) {
    Object value = payload.get(field);
    return value instanceof String && !((String) value).isBlank() ? Option.some((String) value) : Option.none();
  }
}
