package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real hook payload in ../shared/agent-payloads (Claude Code 2.1.330, Codex 0.169.0, Copilot 1.0.102, Gemini
 * 0.61.0, with the environment each client set) through the parser and the agent detection.
 */
public final class AgentSamplesTest {

  public static final Path SAMPLES = Path.of(System.getProperty("user.dir")).resolve("../../shared/agent-payloads").normalize();

  static Stream<Arguments> samples() throws Exception {
    if (!Files.isDirectory(SAMPLES)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("the agent payload samples are missing: " + SAMPLES);
      }
      Assumptions.abort("no agent payload samples beside the project at " + SAMPLES);
    }
    List<Arguments> all = new ArrayList<>();
    try (Stream<Path> clients = Files.list(SAMPLES)) {
      for (Path client : clients.filter(Files::isDirectory).sorted().toList()) {
        try (Stream<Path> files = Files.list(client)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
            all.add(Arguments.of(client.getFileName() + "/" + file.getFileName(), file));
          }
        }
      }
    }
    assertThat(all).hasSizeGreaterThan(50);
    return all.stream();
  }

  /** What each sample must parse to: kind, and for tool events whether the tool mutates. */
  private static String expectedKind(String event) {
    switch (event.toLowerCase(java.util.Locale.ROOT)) {
      case "pretooluse":
      case "beforetool":
        return "PRE_TOOL";
      case "posttooluse":
      case "posttoolusefailure":
      case "aftertool":
        return "POST_TOOL";
      case "stop":
      case "agentstop":
      case "afteragent":
      case "sessionend":
        return "END";
      default:
        return "IGNORED";
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sample_parsesToItsEventSessionToolAndAgent(String name, Path file) throws Exception {
    JsonObject sample = JsonParser.object().from(Files.readString(file));
    String client = file.getParent().getFileName().toString();
    JsonObject payload = JsonParser.object().from(sample.getString("stdin"));
    Map<String, String> env = new HashMap<>();
    sample.getObject("env").forEach((key, value) -> env.put(key, String.valueOf(value)));
    List<Object> argv = sample.getArray("argv");
    HookArgs args = HookArgs.parse(argv.stream().map(String::valueOf).toArray(String[]::new), 0);

    HookEvent event = HookEvent.from(payload, args.event());
    Agent registered = Agent.parse(client).get();
    Agent agent = Agent.detect(Agent.fromEnvironment(env), Option.some(payload), Option.some(registered));
    // A registration of another agent: the client's variables (or Codex's payload) must still win.
    Agent other = registered == Agent.CLAUDE ? Agent.GEMINI : Agent.CLAUDE;
    Agent despite = Agent.detect(Agent.fromEnvironment(env), Option.some(payload), Option.some(other));

    assertThat(agent).as("agent of %s", name).isEqualTo(registered);
    if (registered != Agent.CODEX || payload.has("turn_id")) {
      assertThat(despite).as("agent of %s under another agent's registration", name).isEqualTo(registered);
    }
    assertThat(event.kind().name()).as("kind of %s", name).isEqualTo(expectedKind(sample.getString("event")));
    assertThat(event.sessionId()).as("session of %s", name).isNotEmpty();
    assertThat(event.cwd()).as("cwd of %s", name).contains(payload.getString("cwd"));
    String tool = payload.has("tool_name") ? payload.getString("tool_name") : payload.getString("toolName");
    if (tool != null) {
      assertThat(event.toolName()).contains(tool);
      boolean edits = List.of("Edit", "Write", "edit", "create", "apply_patch", "write_file", "replace").contains(tool);
      boolean reads = List.of("Read", "view", "read_file", "Agent").contains(tool);
      if (edits) {
        assertThat(event.isMutatingTool()).as("%s mutates", tool).isTrue();
      }
      if (reads) {
        assertThat(event.isMutatingTool()).as("%s only reads", tool).isFalse();
      }
    }
    if (event.command().isDefined() && event.command().get().contains(">")) {
      assertThat(event.isReadOnlyShell()).as("a redirection writes: %s", event.command().get()).isFalse();
    }
    assertThat(event.backgroundWorkRunning()).as("no sample has background work running").isFalse();
  }

  @Test
  void claudeStop_withABackgroundSubagentRunning_isSeen() throws Exception {
    JsonObject stop = JsonParser.object().from(Files.readString(SAMPLES.resolve("claude/Stop.json")));
    String stdin = stop.getString("stdin").replace("\"background_tasks\":[]",
        "\"background_tasks\":[{\"type\":\"subagent\",\"status\":\"running\",\"id\":\"a1\"},"
            + "{\"type\":\"subagent\",\"status\":\"completed\",\"id\":\"a0\"}]");
    assertThat(stdin).contains("running");

    HookEvent event = HookEvent.from(JsonParser.object().from(stdin), Option.none());

    assertThat(event.kind()).isEqualTo(HookEvent.Kind.END);
    assertThat(event.backgroundWorkRunning()).isTrue();
  }

  @Test
  void copilotUnderClaudeSettings_isCopilot_whateverTheRegistrationSays() {
    Map<String, String> env = Map.of("COPILOT_CLI", "1", "CLAUDE_PROJECT_DIR", "/w");

    assertThat(Agent.detect(Agent.fromEnvironment(env), Option.none(), Option.some(Agent.CLAUDE))).isEqualTo(Agent.COPILOT);
    assertThat(Agent.detect(Option.none(), Option.none(), Option.some(Agent.GEMINI))).isEqualTo(Agent.GEMINI);
    assertThat(Agent.detect(Option.none(), Option.none(), Option.none())).isEqualTo(Agent.CLAUDE);
  }
}
