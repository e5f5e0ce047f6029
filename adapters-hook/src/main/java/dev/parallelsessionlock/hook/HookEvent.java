package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonObject;
import io.vavr.control.Option;
import java.util.Locale;
import java.util.Set;

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
 */
record HookEvent(
    Kind kind, String eventName, Option<String> sessionId, Option<String> cwd, Option<String> toolName,
    Option<Long> toolTimeoutMs) {

  /** What the lock does per event. */
  enum Kind {
    /** PreToolUse / preToolUse: acquire before a mutating tool. */
    PRE_TOOL,
    /** PostToolUse / PostToolUseFailure: refresh the lease after a mutating tool. */
    POST_TOOL,
    /** Stop / agentStop / SessionEnd / sessionEnd: release. */
    END,
    /** Anything else (SubagentStop must not release the parent's lock): nothing. */
    IGNORED
  }

  /** Tools that change the workspace, by Claude Code, Copilot CLI and Codex names. */
  static final Set<String> MUTATING_TOOLS = Set.of(
      "Edit", "Write", "MultiEdit", "NotebookEdit", "Bash", "PowerShell",
      "edit", "create", "bash", "powershell", "apply_patch", "str_replace_editor");

  /** The matcher the installer registers for Claude Code's tool events. */
  static final String CLAUDE_MATCHER = "Edit|Write|MultiEdit|NotebookEdit|Bash|PowerShell";

  /** The matcher the installer registers for Copilot CLI's tool events. */
  static final String COPILOT_MATCHER = "edit|create|bash|powershell|apply_patch|str_replace_editor";

  boolean isMutatingTool() {
    return toolName.isDefined() && MUTATING_TOOLS.contains(toolName.get());
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
    return new HookEvent(kindOf(eventName), eventName,
        either(text(payload, "session_id"), text(payload, "sessionId")), text(payload, "cwd"), tool,
        timeoutOf(payload));
  }

  private static Option<Long> timeoutOf(JsonObject payload) {
    Object input = payload.get("tool_input");
    if (!(input instanceof JsonObject)) {
      input = payload.get("toolArgs");
    }
    if (!(input instanceof JsonObject)) {
      return Option.none();
    }
    JsonObject args = (JsonObject) input;
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
        return Kind.PRE_TOOL;
      case "posttooluse":
      case "posttoolusefailure":
        return Kind.POST_TOOL;
      case "stop":
      case "agentstop":
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
