package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import io.vavr.control.Option;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The four agents the hook serves: their edit tools, and the output each one honours (measured with the real
 * clients, ../shared/HOOKS.md section 7). One fact, one place: the installer's matchers and the hook's tool
 * check both come from here.
 *
 * <pre>
 * agent    deny                                                         notice to the user (fail-open, lost lease)
 * claude   hookSpecificOutput deny (+ top-level fields), stderr, exit 2  {"systemMessage": ...}, exit 0
 * copilot  top-level permissionDecision deny (+ nested), exit 0          stderr only (nothing else is shown)
 * codex    reason on stderr, empty stdout, exit 2                        {"systemMessage": ...}, exit 0
 * gemini   {"decision":"deny","reason":...}, exit 0                      {"systemMessage": ...}, exit 0
 * </pre>
 */
public enum Agent {
  CLAUDE("claude", List.of("Edit", "Write", "MultiEdit", "NotebookEdit", "Bash", "PowerShell")),
  COPILOT("copilot", List.of("edit", "create", "bash", "powershell", "apply_patch", "str_replace_editor")),
  CODEX("codex", List.of("Bash", "apply_patch")),
  GEMINI("gemini", List.of("write_file", "replace", "run_shell_command"));

  /** The name used on the command line and in registrations. */
  public final String id;
  /** Tools of this agent that change the workspace. */
  final List<String> mutatingTools;

  Agent(String id, List<String> mutatingTools) {
    this.id = id;
    this.mutatingTools = mutatingTools;
  }

  /** Every agent's mutating tools: a command registered for one agent is also run by another (Copilot reads Claude's). */
  static final Set<String> MUTATING_TOOLS = union();

  /** Shell tools, whose commands may only read (see {@link ShellCommands}). */
  static final Set<String> SHELL_TOOLS = Set.of("Bash", "bash", "run_shell_command");

  private static Set<String> union() {
    Set<String> all = new HashSet<>();
    for (Agent agent : values()) {
      all.addAll(agent.mutatingTools);
    }
    return Set.copyOf(all);
  }

  /** The registration's matcher: this agent's mutating tools as one alternation. */
  public String matcher() {
    return String.join("|", mutatingTools);
  }

  public static Option<Agent> parse(String id) {
    for (Agent agent : values()) {
      if (agent.id.equals(id.toLowerCase(Locale.ROOT))) {
        return Option.some(agent);
      }
    }
    return Option.none();
  }

  /**
   * Which agent runs this hook. The environment the client sets wins, since a registration can be run by
   * another client (Copilot reads Claude Code's settings and sets {@code CLAUDE_PROJECT_DIR} too); then the
   * payload's shape (Codex sets no variable, but sends {@code turn_id} and {@code model}); then the
   * registration; Claude Code last.
   */
  public static Agent detect(Option<Agent> fromEnvironment, Option<JsonObject> payload, Option<Agent> registered) {
    if (fromEnvironment.isDefined()) {
      return fromEnvironment.get();
    }
    if (payload.isDefined() && payload.get().has("turn_id") && payload.get().has("model")) {
      return CODEX;
    }
    return registered.isDefined() ? registered.get() : CLAUDE;
  }

  /** The agent the client's variables name: Copilot, then Gemini (both also set CLAUDE_PROJECT_DIR), then Claude. */
  static Option<Agent> fromEnvironment(Map<String, String> env) {
    if ("1".equals(env.get("COPILOT_CLI"))) {
      return Option.some(COPILOT);
    }
    if (present(env, "GEMINI_SESSION_ID") || present(env, "GEMINI_PROJECT_DIR")) {
      return Option.some(GEMINI);
    }
    if ("1".equals(env.get("CLAUDECODE")) || present(env, "CLAUDE_PID")) {
      return Option.some(CLAUDE);
    }
    return Option.none();
  }

  private static boolean present(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }

  /** The deny this agent honours, with the reason where its model reads it. */
  HookResult deny(String reason, List<String> stderr) {
    switch (this) {
      case CODEX:
        return new HookResult(HookResult.DENY, "", stderr);
      case GEMINI:
        return new HookResult(HookResult.ALLOW,
            JsonWriter.string().object().value("decision", "deny").value("reason", reason).end().done() + "\n", stderr);
      case COPILOT:
        return new HookResult(HookResult.ALLOW, permissionDeny(reason), stderr);
      default:
        return new HookResult(HookResult.DENY, permissionDeny(reason), stderr);
    }
  }

  /**
   * An allow that tells the user {@code message} where this agent shows it: a top-level {@code systemMessage}
   * (agents do not show stderr on exit 0). Copilot CLI shows neither, so it gets stderr alone.
   */
  public HookResult allowWithNotice(String message, List<String> stderr) {
    if (this == COPILOT) {
      return HookResult.allow(stderr);
    }
    return new HookResult(HookResult.ALLOW,
        JsonWriter.string().object().value("systemMessage", message).end().done() + "\n", stderr);
  }

  /**
   * After a tool call, a notice for the model (the caller's lease was taken over while the tool ran):
   * {@code additionalContext} where the agent reads it after a tool, stderr for Copilot CLI.
   */
  HookResult afterToolNotice(String message, List<String> stderr) {
    if (this == COPILOT) {
      return HookResult.allow(stderr);
    }
    String json = JsonWriter.string().object()
        .object("hookSpecificOutput")
        .value("hookEventName", this == GEMINI ? "AfterTool" : "PostToolUse")
        .value("additionalContext", message)
        .end()
        .end()
        .done() + "\n";
    return new HookResult(HookResult.ALLOW, json, stderr);
  }

  /** Claude Code and Codex read {@code hookSpecificOutput}; Copilot CLI the same two fields at the top level. */
  static String permissionDeny(String reason) {
    return JsonWriter.string().object()
        .object("hookSpecificOutput")
        .value("hookEventName", "PreToolUse")
        .value("permissionDecision", "deny")
        .value("permissionDecisionReason", reason)
        .end()
        .value("permissionDecision", "deny")
        .value("permissionDecisionReason", reason)
        .end()
        .done() + "\n";
  }
}
