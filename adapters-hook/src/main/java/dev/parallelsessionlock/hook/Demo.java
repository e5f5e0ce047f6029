package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * {@code session-lock demo}: two sessions, alice and bob, run the real hook over a real lock directory in a
 * temp folder, as Claude Code would call it. Bob is denied while alice holds the workspace, and gets it when
 * alice's turn ends.
 */
final class Demo {

  private Demo() {}

  /** Runs the demo; {@code program} is how a person runs this executable, for the hints the hook prints. */
  static int run(PrintStream out, PrintStream err, Clock clock, String program) {
    Path temp;
    try {
      temp = Files.createTempDirectory("session-lock-demo");
      Files.createDirectory(temp.resolve("project"));
    } catch (IOException e) {
      err.println("session-lock: demo cannot create a temp directory: " + Installer.describe(e));
      return ExitCodes.UNAVAILABLE;
    }
    Path project = temp.resolve("project");
    HookConfig config = HookConfig.from(Map.of(
        "SESSION_LOCK_DIR", temp.resolve("locks").toString(), "CLAUDE_PROJECT_DIR", project.toString()));
    config = config.withProgram(program);
    // Two distinct live processes stand in for the two agents: this JVM and its parent.
    ProcessRef alice = LocalProcesses.current();
    ProcessRef bob = ProcessHandle.current().parent().map(LocalProcesses::of).orElse(ProcessRef.ofPid(1));
    out.println("Two sessions share " + project + "; locks live in " + temp.resolve("locks") + "\n");
    step(out, config, clock, alice, "alice", "PreToolUse", "Edit");
    step(out, config, clock, bob, "bob", "PreToolUse", "Write");
    step(out, config, clock, alice, "alice", "PostToolUse", "Edit");
    step(out, config, clock, alice, "alice", "Stop", null);
    step(out, config, clock, bob, "bob", "PreToolUse", "Write");
    step(out, config, clock, bob, "bob", "SessionEnd", null);
    out.println("\nEach step ran the hook code the agents run; exit 2 denies the tool call.");
    TempTrees.delete(temp);
    return ExitCodes.OK;
  }

  private static void step(PrintStream out, HookConfig config, Clock clock, ProcessRef agent, String session,
      String event, String tool) {
    String payload = "{\"session_id\":\"" + session + "\",\"hook_event_name\":\"" + event + "\",\"cwd\":\""
        + config.projectDir().get() + "\"" + (tool == null ? "" : ",\"tool_name\":\"" + tool + "\",\"tool_input\":{}") + "}";
    HookResult result = HookRunner.run(payload.getBytes(StandardCharsets.UTF_8), Option.none(), config,
        Path.of(config.projectDir().get()), clock, () -> agent);
    out.printf("%-6s %-12s %-6s -> exit %d%s%n", session, event, tool == null ? "" : tool, result.exitCode(),
        result.exitCode() == ExitCodes.DENY ? " (denied)" : " (allowed)");
    result.stderr().forEach(line -> out.println("         " + line));
  }
}
