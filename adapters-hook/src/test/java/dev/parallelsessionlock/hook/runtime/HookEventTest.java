package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import io.vavr.control.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class HookEventTest {

  private static HookEvent parse(String json, String eventArgument) throws Exception {
    JsonObject payload = JsonParser.object().from(json);
    return HookEvent.from(payload, Option.of(eventArgument));
  }

  @Test
  void claudePreToolUse_documentedExample_isAMutatingPreTool() throws Exception {
    HookEvent event = parse("{\"session_id\":\"abc123\",\"prompt_id\":\"550e8400\",\"transcript_path\":\"/t.jsonl\","
        + "\"cwd\":\"/home/user/my-project\",\"permission_mode\":\"default\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"npm test\",\"timeout\":120000},"
        + "\"tool_use_id\":\"toolu_01ABC123\"}", null);

    assertThat(event).isEqualTo(new HookEvent(HookEvent.Kind.PRE_TOOL, "PreToolUse", Option.some("abc123"),
        Option.some("/home/user/my-project"), Option.some("Bash"), Option.some(120_000L), Option.some("npm test"),
        false));
    assertThat(event.isMutatingTool()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
      "PreToolUse, PRE_TOOL", "PostToolUse, POST_TOOL", "PostToolUseFailure, POST_TOOL", "Stop, END",
      "SessionEnd, END", "SubagentStop, IGNORED", "SessionStart, IGNORED", "UserPromptSubmit, IGNORED",
      "preToolUse, PRE_TOOL", "postToolUse, POST_TOOL", "postToolUseFailure, POST_TOOL", "agentStop, END",
      "sessionEnd, END", "subagentStop, IGNORED", "errorOccurred, IGNORED"})
  void everyEventName_mapsToWhatTheLockDoes(String name, HookEvent.Kind kind) {
    assertThat(HookEvent.kindOf(name)).isEqualTo(kind);
  }

  @Test
  void copilotCamelCase_takesTheEventFromTheArgument_andAcceptsToolArgsAsAString() throws Exception {
    HookEvent event = parse("{\"sessionId\":\"cp-1\",\"timestamp\":1795341600000,\"cwd\":\"/repo\","
        + "\"toolName\":\"edit\",\"toolArgs\":\"{\\\"path\\\":\\\"/repo/a.txt\\\"}\"}", "preToolUse");

    assertThat(event).isEqualTo(new HookEvent(HookEvent.Kind.PRE_TOOL, "preToolUse", Option.some("cp-1"),
        Option.some("/repo"), Option.some("edit"), Option.none()));
    assertThat(event.isMutatingTool()).isTrue();
  }

  @Test
  void copilotCamelCase_withToolArgsAsAnObject_parses() throws Exception {
    HookEvent event = parse("{\"sessionId\":\"cp-1\",\"cwd\":\"/repo\",\"toolName\":\"create\","
        + "\"toolArgs\":{\"path\":\"/repo/b.txt\"}}", "preToolUse");

    assertThat(event.toolName()).contains("create");
  }

  @Test
  void copilotPascalCase_fromClaudeSettings_looksLikeClaude() throws Exception {
    HookEvent event = parse("{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"cp-2\",\"timestamp\":"
        + "\"2026-11-22T10:00:00Z\",\"cwd\":\"/repo\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"/repo/a\"}}", null);

    assertThat(event.kind()).isEqualTo(HookEvent.Kind.PRE_TOOL);
    assertThat(event.sessionId()).contains("cp-2");
  }

  @Test
  void oldCopilotPayload_withoutSessionId_hasNone() throws Exception {
    HookEvent event = parse("{\"toolName\":\"bash\",\"toolArgs\":\"{\\\"command\\\":\\\"rm -rf dist\\\"}\"}", "preToolUse");

    assertThat(event.sessionId()).isEmpty();
    assertThat(event.cwd()).isEmpty();
    assertThat(event.isMutatingTool()).isTrue();
  }

  @Test
  void withoutAnyEventName_aToolWithAResultIsPost_andAToolAlonePre() throws Exception {
    assertThat(parse("{\"sessionId\":\"s\",\"toolName\":\"edit\",\"toolResult\":{\"resultType\":\"success\"}}", null)
        .kind()).isEqualTo(HookEvent.Kind.POST_TOOL);
    assertThat(parse("{\"sessionId\":\"s\",\"toolName\":\"edit\"}", null).kind()).isEqualTo(HookEvent.Kind.PRE_TOOL);
    assertThat(parse("{\"sessionId\":\"s\"}", null).kind()).isEqualTo(HookEvent.Kind.IGNORED);
  }

  @Test
  void payloadEventName_winsOverTheArgument() throws Exception {
    assertThat(parse("{\"hook_event_name\":\"Stop\",\"session_id\":\"s\"}", "preToolUse").kind())
        .isEqualTo(HookEvent.Kind.END);
  }

  @Test
  void readOnlyTools_andWrongTypes_areNotMutating() throws Exception {
    assertThat(parse("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Read\"}", null).isMutatingTool()).isFalse();
    assertThat(parse("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"view\"}", null).isMutatingTool()).isFalse();
    assertThat(parse("{\"hook_event_name\":\"PreToolUse\",\"tool_name\":42,\"session_id\":7}", null))
        .isEqualTo(new HookEvent(HookEvent.Kind.PRE_TOOL, "PreToolUse", Option.none(), Option.none(), Option.none(),
            Option.none()));
  }
}
