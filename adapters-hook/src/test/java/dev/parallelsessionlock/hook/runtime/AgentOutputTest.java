package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact bytes each agent gets, as measured with the real clients (HOOKS.md section 7). */
final class AgentOutputTest {

  private static final String REASON = "held by bob \"x\"";
  private static final List<String> STDERR = List.of(REASON);

  @Test
  void claude_deny_isTheNestedDecision_withTheReasonOnStderr_exit2() {
    HookResult result = Agent.CLAUDE.deny(REASON, STDERR);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).isEqualTo("{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
        + "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\"held by bob \\\"x\\\"\"},"
        + "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\"held by bob \\\"x\\\"\"}\n");
    assertThat(result.stderr()).containsExactly(REASON);
  }

  @Test
  void codex_deny_isExit2WithTheReasonOnStderr_andNothingOnStdout() {
    // Codex ignores the JSON when it carries the top-level fields, and runs the tool on exit 0.
    assertThat(Agent.CODEX.deny(REASON, STDERR)).isEqualTo(new HookResult(2, "", STDERR));
  }

  @Test
  void copilot_deny_isTheTopLevelDecision_exit0() {
    HookResult result = Agent.COPILOT.deny(REASON, STDERR);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains(",\"permissionDecision\":\"deny\",\"permissionDecisionReason\":");
  }

  @Test
  void gemini_deny_isDecisionDeny_exit0() {
    assertThat(Agent.GEMINI.deny(REASON, STDERR))
        .isEqualTo(new HookResult(0, "{\"decision\":\"deny\",\"reason\":\"held by bob \\\"x\\\"\"}\n", STDERR));
  }

  @Test
  void notices_areASystemMessage_exceptForCopilotWhichShowsNone() {
    assertThat(Agent.CLAUDE.allowWithNotice("off", List.of())).isEqualTo(new HookResult(0, "{\"systemMessage\":\"off\"}\n", List.of()));
    assertThat(Agent.CODEX.allowWithNotice("off", List.of()).stdout()).isEqualTo("{\"systemMessage\":\"off\"}\n");
    assertThat(Agent.GEMINI.allowWithNotice("off", List.of()).stdout()).isEqualTo("{\"systemMessage\":\"off\"}\n");
    assertThat(Agent.COPILOT.allowWithNotice("off", List.of("x"))).isEqualTo(new HookResult(0, "", List.of("x")));
  }

  @Test
  void afterToolNotices_reachTheModel_asAdditionalContext() {
    assertThat(Agent.GEMINI.afterToolNotice("lost", List.of()).stdout())
        .isEqualTo("{\"hookSpecificOutput\":{\"hookEventName\":\"AfterTool\",\"additionalContext\":\"lost\"}}\n");
    assertThat(Agent.CODEX.afterToolNotice("lost", List.of()).stdout()).contains("\"hookEventName\":\"PostToolUse\"");
    assertThat(Agent.COPILOT.afterToolNotice("lost", List.of("x")).stdout()).isEmpty();
  }

  @Test
  void matchers_comeFromTheOneListOfMutatingTools() {
    assertThat(Agent.CLAUDE.matcher()).isEqualTo("Edit|Write|MultiEdit|NotebookEdit|Bash|PowerShell");
    assertThat(Agent.CODEX.matcher()).isEqualTo("Bash|apply_patch");
    assertThat(Agent.GEMINI.matcher()).isEqualTo("write_file|replace|run_shell_command");
    assertThat(Agent.MUTATING_TOOLS).contains("Edit", "edit", "apply_patch", "write_file", "run_shell_command")
        .doesNotContain("Read", "view", "read_file");
  }
}
