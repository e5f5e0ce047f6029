package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.install.ClassDataArchive;
import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.FakeAgents.Agent;
import dev.parallelsessionlock.hook.FakeAgents.Result;
import dev.parallelsessionlock.hook.runtime.JsonSkim;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built executable as the agents run it: a separate agent process per session runs the registered command
 * through {@code sh -c}, which starts the launcher, which starts the JVM; real hook JSON on stdin.
 */
final class HookProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final FakeAgents agents = new FakeAgents();

  private Agent agent(Map<String, String> extraEnv) throws IOException {
    return agents.start(locks, extraEnv);
  }

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectory(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    agents.killAll();
  }

  /** Runs the registered command ({@link #command}) in {@code agent}. */
  private static Result hook(Agent agent, String eventArgument, String payload) throws IOException {
    return agent.run(command(LAUNCHER.toString(), eventArgument), payload);
  }

  /** The registered command: Claude's registration, or Copilot's when an event argument is given. */
  static String command(String launcher, String eventArgument) {
    dev.parallelsessionlock.hook.runtime.Agent agent = eventArgument.isBlank()
        ? dev.parallelsessionlock.hook.runtime.Agent.CLAUDE : dev.parallelsessionlock.hook.runtime.Agent.COPILOT;
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(agent)) {
      if (eventArgument.isBlank() || registration.event().equals(eventArgument.trim())) {
        return HookRegistrations.command(launcher, agent, registration);
      }
    }
    throw new IllegalArgumentException(eventArgument);
  }

  private String claude(String event, String session, String tool) {
    return "{\"session_id\":\"" + session + "\",\"transcript_path\":\"/tmp/t.jsonl\",\"cwd\":\"" + project + "\","
        + "\"permission_mode\":\"default\",\"hook_event_name\":\"" + event + "\""
        + (tool == null ? "" : ",\"tool_name\":\"" + tool + "\",\"tool_input\":{\"file_path\":\"" + project
            + "/src/App.java\",\"content\":\"class App {}\"},\"tool_use_id\":\"toolu_01\"") + "}";
  }

  private Path record() {
    return locks.resolve("session-lock-" + dev.parallelsessionlock.core.WorkspaceHash.of(project.toString()).hex() + ".json");
  }

  private static String reason(String holder, long pid, String lease, Path project) {
    return "parallel session lock held by " + holder + " (pid " + pid + ") - wait or close that session first, lease ends in "
        + lease + ". Workspace " + project + "; if that session is gone: '" + LAUNCHER + "' release --force --dir '"
        + project + "'";
  }

  @Test
  void twoSessions_contend_andTheWorkspacePassesOnWhenTheHoldersTurnEnds() throws Exception {
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());

    assertThat(hook(alice, "", claude("PreToolUse", "alice", "Edit"))).isEqualTo(new Result(0, "", ""));
    JsonObject lease = JsonParser.object().from(Files.readString(record()));
    assertThat(lease.getLong("pid")).as("the lease names the agent, not the hook").isEqualTo(alice.pid);

    Result denied = hook(bob, "", claude("PreToolUse", "bob", "Write"));
    assertThat(denied.exit()).isEqualTo(2);
    JsonObject decision = JsonParser.object().from(denied.stdout());
    String reason = decision.getString("permissionDecisionReason");
    assertThat(reason).matches(java.util.regex.Pattern.quote(reason("alice", alice.pid, "X", project)).replace("X", "\\E4m5\\ds\\Q"));
    assertThat(decision.getString("permissionDecision")).isEqualTo("deny");
    assertThat(decision.getObject("hookSpecificOutput").getString("permissionDecision")).isEqualTo("deny");
    assertThat(decision.getObject("hookSpecificOutput").getString("permissionDecisionReason")).isEqualTo(reason);
    assertThat(decision.getObject("hookSpecificOutput").getString("hookEventName")).isEqualTo("PreToolUse");
    assertThat(denied.stderr()).isEqualTo(reason + "\n");

    assertThat(hook(bob, "", claude("PreToolUse", "bob", "Read"))).as("read-only tools pass").isEqualTo(new Result(0, "", ""));
    assertThat(hook(alice, "", claude("PostToolUse", "alice", "Edit"))).isEqualTo(new Result(0, "", ""));
    assertThat(hook(alice, "", claude("Stop", "alice", null))).isEqualTo(new Result(0, "", ""));
    assertThat(Files.exists(record())).isFalse();
    assertThat(hook(bob, "", claude("PreToolUse", "bob", "Write"))).isEqualTo(new Result(0, "", ""));
    assertThat(hook(bob, "", claude("SessionEnd", "bob", null))).isEqualTo(new Result(0, "", ""));
    assertThat(Files.exists(record())).isFalse();
  }

  @Test
  void nonAsciiWorkspace_underTheCLocale_isLockedLikeAnyOther() throws Exception {
    Path unicode = Files.createDirectory(temp.resolve("wörkspace ☃")).toRealPath();
    Agent alice = agent(Map.of("LC_ALL", "C"));
    Agent bob = agent(Map.of("LC_ALL", "C"));
    String edit = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"%s\",\"cwd\":\"" + unicode
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + unicode + "/ä.txt\"}}";

    Result first = hook(alice, "", String.format(edit, "alice"));
    Result second = hook(bob, "", String.format(edit, "bob"));

    assertThat(first).isEqualTo(new Result(0, "", ""));
    assertThat(second.exit()).isEqualTo(2);
    assertThat(second.stderr()).contains("held by alice", "Workspace " + unicode);
    Path lease = locks.resolve("session-lock-" + dev.parallelsessionlock.core.WorkspaceHash.of(unicode.toString()).hex() + ".json");
    assertThat(Files.readString(lease)).contains("\"path\":\"" + unicode + "\"");
  }

  @Test
  void aWriteOf64MiB_isReadAndDeniedWithinTheDeadline() throws Exception {
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    assertThat(hook(alice, "", claude("PreToolUse", "alice", "Edit")).exit()).isZero();
    String head = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"bob\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + project + "/big.txt\",\"content\":\"";
    String tail = "\"}}";
    String payload = head + "x".repeat(JsonSkim.MAX_INPUT_BYTES - head.length() - tail.length()) + tail;

    Result denied = hook(bob, "", payload);

    assertThat(denied.exit()).as(denied.stderr()).isEqualTo(2);
    assertThat(denied.stderr()).contains("held by alice");
  }

  /** The command {@code install} registers for {@code agent}'s {@code event}. */
  private static String registered(dev.parallelsessionlock.hook.runtime.Agent agent, String event) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(agent)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), agent, registration);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private String codex(String event, String session, String tool, String command) {
    return "{\"session_id\":\"" + session + "\",\"turn_id\":\"t1\",\"cwd\":\"" + project + "\",\"hook_event_name\":\""
        + event + "\",\"model\":\"gpt-5.5\",\"permission_mode\":\"bypassPermissions\""
        + (tool == null ? "" : ",\"tool_name\":\"" + tool + "\",\"tool_input\":{\"command\":" + JsonWriter.string(command) + "}")
        + "}";
  }

  @Test
  void codex_isDeniedByExit2WithTheReasonOnStderr_andShellCommandsThatOnlyReadPass() throws Exception {
    Agent alice = agent(Map.of("CODEX_HOME", temp.resolve("codex-home").toString()));
    Agent bob = agent(Map.of());
    String pre = registered(dev.parallelsessionlock.hook.runtime.Agent.CODEX, "PreToolUse");
    String patch = "*** Begin Patch\n*** Add File: a.txt\n+by A\n*** End Patch\n";

    assertThat(alice.run(pre, codex("PreToolUse", "alice", "apply_patch", patch))).isEqualTo(new Result(0, "", ""));
    Result denied = bob.run(pre, codex("PreToolUse", "bob", "apply_patch", patch));
    Result reading = bob.run(pre, codex("PreToolUse", "bob", "Bash", "cat a.txt | grep -n by"));
    Result writing = bob.run(pre, codex("PreToolUse", "bob", "Bash", "echo by B > c.txt"));

    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stdout()).as("Codex ignores a deny JSON with top-level fields: nothing on stdout").isEmpty();
    assertThat(denied.stderr()).startsWith("parallel session lock held by alice");
    assertThat(reading).as("a read passes the lease").isEqualTo(new Result(0, "", ""));
    assertThat(writing.exit()).isEqualTo(2);
    assertThat(alice.run(registered(dev.parallelsessionlock.hook.runtime.Agent.CODEX, "Stop"), codex("Stop", "alice", null, null)))
        .isEqualTo(new Result(0, "", ""));
    assertThat(bob.run(pre, codex("PreToolUse", "bob", "apply_patch", patch)).exit()).isZero();
  }

  @Test
  void gemini_isDeniedWithDecisionDeny_andAfterAgentReleases() throws Exception {
    Agent alice = agent(Map.of("GEMINI_SESSION_ID", "alice", "GEMINI_PROJECT_DIR", project.toString()));
    Agent bob = agent(Map.of("GEMINI_SESSION_ID", "bob", "GEMINI_PROJECT_DIR", project.toString()));
    String before = registered(dev.parallelsessionlock.hook.runtime.Agent.GEMINI, "BeforeTool");
    String write = "{\"session_id\":\"%s\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"BeforeTool\","
        + "\"tool_name\":\"write_file\",\"tool_input\":{\"file_path\":\"" + project + "/a.txt\",\"content\":\"x\"}}";

    assertThat(alice.run(before, String.format(write, "alice"))).isEqualTo(new Result(0, "", ""));
    Result denied = bob.run(before, String.format(write, "bob"));
    assertThat(denied.exit()).as("Gemini runs the tool on exit 2 when stdout has JSON; it blocks on decision deny").isZero();
    JsonObject decision = JsonParser.object().from(denied.stdout());
    assertThat(decision.getString("decision")).isEqualTo("deny");
    assertThat(decision.getString("reason")).contains("held by alice");
    assertThat(alice.run(registered(dev.parallelsessionlock.hook.runtime.Agent.GEMINI, "AfterAgent"),
        "{\"session_id\":\"alice\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"AfterAgent\"}"))
        .isEqualTo(new Result(0, "", ""));
    assertThat(bob.run(before, String.format(write, "bob"))).isEqualTo(new Result(0, "", ""));
  }

  @Test
  void claudeStop_whileABackgroundSubagentRuns_keepsTheLease_andTheNextStopReleases() throws Exception {
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    hook(alice, "", claude("PreToolUse", "alice", "Edit"));
    String stop = "{\"session_id\":\"alice\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"Stop\","
        + "\"stop_hook_active\":false,\"background_tasks\":%s}";

    assertThat(hook(alice, "", String.format(stop, "[{\"type\":\"subagent\",\"status\":\"running\"}]")).exit()).isZero();
    assertThat(Files.exists(record())).as("the subagent still edits for alice").isTrue();
    assertThat(hook(bob, "", claude("PreToolUse", "bob", "Edit")).exit()).isEqualTo(2);

    hook(alice, "", String.format(stop, "[{\"type\":\"subagent\",\"status\":\"completed\"}]"));
    assertThat(Files.exists(record())).isFalse();
    assertThat(hook(bob, "", claude("PreToolUse", "bob", "Edit")).exit()).isZero();
  }

  @Test
  void staleLease_isTakenOver() throws Exception {
    Agent alice = agent(Map.of("SESSION_LOCK_TTL_MS", "400"));
    Agent bob = agent(Map.of("SESSION_LOCK_TTL_MS", "400"));
    hook(alice, "", claude("PreToolUse", "alice", "Edit"));
    Thread.sleep(500); // real processes, real clock: let the 400 ms lease run out

    Result taken = hook(bob, "", claude("PreToolUse", "bob", "Edit"));

    assertThat(taken).isEqualTo(new Result(0, "",
        "session-lock: took the workspace lock over from session alice (pid " + alice.pid + "): its lease had run out\n"));
  }

  @Test
  void deadHolder_isTakenOverBeforeItsLeaseEnds() throws Exception {
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    hook(alice, "", claude("PreToolUse", "alice", "Edit"));
    alice.kill();

    Result taken = hook(bob, "", claude("PreToolUse", "bob", "Edit"));

    assertThat(taken).isEqualTo(new Result(0, "",
        "session-lock: took the workspace lock over from session alice (pid " + alice.pid + "): its holder is gone\n"));
  }

  @Test
  void copilotCamelCaseHooks_contendToo() throws Exception {
    Agent claude = agent(Map.of());
    Agent copilot = agent(Map.of());
    hook(claude, "", claude("PreToolUse", "alice", "Bash"));

    Result denied = hook(copilot, " preToolUse", "{\"sessionId\":\"cp-7\",\"timestamp\":1795341600000,\"cwd\":\""
        + project + "\",\"toolName\":\"edit\",\"toolArgs\":\"{\\\"path\\\":\\\"" + project + "/a.txt\\\"}\"}");

    assertThat(denied.exit()).as("Copilot CLI blocks on the top-level deny with exit 0 and shows its reason")
        .isZero();
    assertThat(JsonParser.object().from(denied.stdout()).getString("permissionDecision")).isEqualTo("deny");
    assertThat(JsonParser.object().from(denied.stdout()).getString("permissionDecisionReason")).contains("held by alice");
    assertThat(hook(copilot, " agentStop", "{\"sessionId\":\"cp-7\",\"cwd\":\"" + project + "\",\"stopReason\":\"end_turn\"}"))
        .isEqualTo(new Result(0, "", ""));
    assertThat(Files.exists(record())).as("agentStop of another session releases nothing").isTrue();
  }

  @Test
  void optOut_allowsAndWritesNothing() throws Exception {
    Agent alice = agent(Map.of("CLAUDE_FILE_LOCK", "0"));

    assertThat(hook(alice, "", claude("PreToolUse", "alice", "Edit"))).isEqualTo(new Result(0, "", ""));
    assertThat(Files.exists(locks)).isFalse();
  }

  @Test
  void missingExecutable_failsOpen() throws Exception {
    Agent alice = agent(Map.of());

    String gone = temp.resolve("gone/session-lock").toString();
    Result result = alice.run(command(gone, ""), claude("PreToolUse", "alice", "Edit"));
    Result again = alice.run(command(gone, ""), claude("PreToolUse", "alice", "Edit"));
    Result copilot = agent(Map.of()).run(command(gone, " preToolUse"), claude("PreToolUse", "alice", "Edit"));
    assertThat(copilot.exit()).as("Copilot CLI denies every tool call on a failing hook: exit 0").isZero();
    assertThat(copilot.stderr()).contains("the workspace lock is OFF");

    assertThat(result.exit()).isZero();
    assertThat(JsonParser.object().from(result.stdout()).getString("systemMessage")).contains("the workspace lock is OFF");
    assertThat(again).as("said once per agent process").isEqualTo(new Result(0, "", ""));
  }

  private Result direct(byte[] stdin, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "hook");
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    builder.environment().putAll(env);
    Process process = builder.start();
    Thread writer = new Thread(() -> {
      try (OutputStream in = process.getOutputStream()) {
        in.write(stdin);
      } catch (IOException closedEarly) {
        // the hook stops reading after 1 MiB
      }
    });
    writer.start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    writer.join();
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void garbageInput_isAllowedWithOneLine() throws Exception {
    String notJson = "session-lock: hook input is not a JSON object; allowing\n";
    Result first = direct(new byte[0], Map.of());
    assertThat(first.stderr()).isEqualTo(notJson);
    assertThat(JsonParser.object().from(first.stdout()).getString("systemMessage"))
        .as("the first time, the user is told").contains("hook input is not a JSON object", "protection is OFF");
    assertThat(direct(new byte[0], Map.of())).as("then not again for this agent and cause")
        .isEqualTo(new Result(0, "", notJson));
    assertThat(direct("PreToolUse please".getBytes(StandardCharsets.UTF_8), Map.of())).isEqualTo(new Result(0, "", notJson));
    byte[] binary = new byte[4096];
    new java.util.Random(7).nextBytes(binary);
    assertThat(direct(binary, Map.of())).isEqualTo(new Result(0, "", notJson));
    byte[] tenMegabytes = new byte[10 * 1024 * 1024];
    java.util.Arrays.fill(tenMegabytes, (byte) '{');
    assertThat(direct(tenMegabytes, Map.of()).stderr())
        .isEqualTo("session-lock: hook input nests deeper than 256 levels, no hook event; allowing\n");
    assertThat(Files.exists(locks)).isFalse();
  }

  @Test
  void stdinThatNeverCloses_isAllowedAtTheDeadline() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "hook");
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    builder.environment().put("SESSION_LOCK_DEADLINE_MS", "300");
    Process process = builder.start();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(JsonParser.object().from(stdout).getString("systemMessage"))
        .as("the user is told, where Claude Code shows it").contains("no decision within 300 ms", "protection is OFF");
    assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("session-lock: no decision within 300 ms; allowing\n");
    process.getOutputStream().close();
  }

  @Test
  void install_registersAWorkingCommandThatSurvivesTheBuildTree() throws Exception {
    Path home = Files.createDirectory(temp.resolve("home"));
    Path installHome = temp.resolve("install");
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "install", "--dir", project.toString());
    builder.environment().put("HOME", home.toString());
    builder.environment().put("SESSION_LOCK_HOME", installHome.toString());
    builder.redirectErrorStream(true);
    Process install = builder.start();
    String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(install.waitFor()).as(output).isZero();
    assertThat(output).contains("installed " + installHome.resolve("lib/session-lock.jar"),
        "built the start-up archive " + installHome.resolve("lib/session-lock.jsa"),
        "registered the claude hooks (workspace mode) in " + project.resolve(".claude/settings.json"));

    JsonObject settings = JsonParser.object().from(Files.readString(project.resolve(".claude/settings.json")));
    String command = settings.getObject("hooks").getArray("PreToolUse").getObject(0).getArray("hooks").getObject(0)
        .getString("command");
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    assertThat(alice.run(command, claude("PreToolUse", "alice", "Edit"))).isEqualTo(new Result(0, "", ""));
    Result denied = bob.run(command, claude("PreToolUse", "bob", "Edit"));
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stdout()).startsWith("{\"hookSpecificOutput\"");

    builder.command(LAUNCHER.toString(), "install", "--dir", project.toString());
    Process second = builder.start();
    assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .startsWith("already up to date: " + project.resolve(".claude/settings.json") + "\n");
    assertThat(second.waitFor()).isZero();
  }

  @Test
  void install_onJava25_buildsAnAotCacheThatTheLauncherUses() throws Exception {
    java.util.Optional<Path> java25;
    try (var jdks = Files.list(Path.of("/usr/lib/jvm"))) {
      java25 = jdks.map(jdk -> jdk.resolve("bin/java")).filter(Files::isExecutable)
          .filter(java -> ClassDataArchive.javaFeatureVersion(java) >= 25).findFirst();
    } catch (IOException noJvmDirectory) {
      java25 = java.util.Optional.empty();
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(java25.isPresent(), "no JDK 25+ under /usr/lib/jvm");
    Path installHome = temp.resolve("install25");
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "install", "--dir", project.toString());
    builder.environment().put("HOME", Files.createDirectory(temp.resolve("home25")).toString());
    builder.environment().put("SESSION_LOCK_HOME", installHome.toString());
    builder.environment().put("SESSION_LOCK_JAVA", java25.get().toString());
    builder.redirectErrorStream(true);
    Process install = builder.start();
    String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(install.waitFor()).as(output).isZero();
    assertThat(output).contains("built the start-up archive " + installHome.resolve("lib/session-lock.aot"));
    assertThat(Files.exists(installHome.resolve("lib/session-lock.jsa"))).isFalse();

    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    String launcher = installHome.resolve("bin/session-lock").toString();
    assertThat(alice.run(command(launcher, ""), claude("PreToolUse", "alice", "Edit")))
        .as("no JVM warning may reach stdout").isEqualTo(new Result(0, "", ""));
    assertThat(bob.run(command(launcher, ""), claude("PreToolUse", "bob", "Edit")).exit()).isEqualTo(2);
  }

  // ---- files mode: the command install --mode files registers, per agent ----

  private String filesCommand(dev.parallelsessionlock.hook.runtime.Agent agent, String event) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(agent)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), agent, registration, true);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private String edit(String event, String session, String file) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"" + event
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + file + "\",\"old_string\":\"a\","
        + "\"new_string\":\"b\"}}";
  }

  private Result claudeFiles(Agent agent, String event, String payload) throws IOException {
    return agent.run(filesCommand(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, event), payload);
  }

  private void gitRepo() throws Exception {
    Process init = new ProcessBuilder("git", "init", "-q", project.toString()).redirectErrorStream(true).start();
    assertThat(init.waitFor()).isZero();
  }

  @Test
  void filesMode_twoSessionsEditDifferentFilesAtOnce_theSameFileIsDenied_andStopHandsItOver() throws Exception {
    gitRepo();
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());

    assertThat(claudeFiles(alice, "PreToolUse", edit("PreToolUse", "alice", "src/A.java"))).isEqualTo(new Result(0, "", ""));
    assertThat(claudeFiles(bob, "PreToolUse", edit("PreToolUse", "bob", "src/B.java"))).isEqualTo(new Result(0, "", ""));
    Result denied = claudeFiles(bob, "PreToolUse", edit("PreToolUse", "bob", project + "/src/A.java"));
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(JsonParser.object().from(denied.stdout()).getString("permissionDecisionReason"))
        .contains(project + "/src/A.java - session alice (claude, pid " + alice.pid + ")");

    assertThat(claudeFiles(alice, "PostToolUse", edit("PostToolUse", "alice", "src/A.java")).exit()).isZero();
    assertThat(claudeFiles(alice, "Stop", claude("Stop", "alice", null))).isEqualTo(new Result(0, "", ""));
    assertThat(claudeFiles(bob, "PreToolUse", edit("PreToolUse", "bob", "src/A.java"))).isEqualTo(new Result(0, "", ""));
  }

  @Test
  void filesMode_codexPatchOverAHeldFile_isDenied_andLeavesNothingLocked() throws Exception {
    Agent claude = agent(Map.of());
    Agent codex = agent(Map.of());
    claudeFiles(claude, "PreToolUse", edit("PreToolUse", "alice", "b.txt"));
    String patch = "{\"session_id\":\"cx\",\"turn_id\":\"t\",\"cwd\":\"" + project + "\",\"hook_event_name\":"
        + "\"PreToolUse\",\"model\":\"gpt-5.5\",\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":"
        + "\"*** Begin Patch\\n*** Add File: new dir/c.txt\\n+x\\n*** Update File: b.txt\\n*** End Patch\\n\"}}";

    Result denied = codex.run(filesCommand(dev.parallelsessionlock.hook.runtime.Agent.CODEX, "PreToolUse"), patch);

    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stdout()).isEmpty();
    assertThat(denied.stderr()).contains(project + "/b.txt - session alice");
    try (var files = Files.list(locks)) {
      assertThat(files.filter(f -> f.getFileName().toString().startsWith("file-"))).hasSize(1);
    }
  }

  @Test
  void filesMode_gitCheckoutWhileAnotherSessionHoldsFiles_isDenied() throws Exception {
    gitRepo();
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    claudeFiles(alice, "PreToolUse", edit("PreToolUse", "alice", "a.txt"));
    String checkout = "{\"session_id\":\"bob\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"cd " + project + " && git checkout other\"}}";

    Result denied = claudeFiles(bob, "PreToolUse", checkout);

    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains("git checkout would rewrite the work tree " + project, "session alice");
  }

  @Test
  void filesMode_aKilledHoldersFiles_areTakenOver() throws Exception {
    Agent alice = agent(Map.of());
    Agent bob = agent(Map.of());
    claudeFiles(alice, "PreToolUse", edit("PreToolUse", "alice", "a.txt"));
    alice.kill();

    Result taken = claudeFiles(bob, "PreToolUse", edit("PreToolUse", "bob", "a.txt"));

    assertThat(taken.exit()).isZero();
    assertThat(taken.stderr()).contains("took over the lock on " + project + "/a.txt (its holder is gone, was session alice");
  }

  @Test
  void filesMode_aTaskLockTakenWithTheCli_blocksASession() throws Exception {
    Agent executor = agent(Map.of());
    Agent bob = agent(Map.of());
    Result taken = executor.run("cd '" + project + "' && '" + LAUNCHER + "' files acquire --task T-3 a.txt b.txt", "");
    assertThat(taken.exit()).as(taken.stderr()).isZero();

    Result denied = claudeFiles(bob, "PreToolUse", edit("PreToolUse", "bob", project + "/b.txt"));

    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains(project + "/b.txt - plan task T-3 (pid " + executor.pid + ")");
    Result held = executor.run("cd '" + project + "' && '" + LAUNCHER + "' files acquire --session bob b.txt", "");
    assertThat(held.exit()).isEqualTo(4);
    assertThat(held.stderr()).startsWith("held: " + project + "/b.txt by plan task T-3");
  }

  @Test
  void filesAcquireWithWait_getsTheFileOnceItsHolderReleasesIt() throws Exception {
    Agent executor = agent(Map.of());
    Agent bob = agent(Map.of());
    String cli = "cd '" + project + "' && '" + LAUNCHER + "' files ";
    assertThat(executor.run(cli + "acquire --task T-4 a.txt", "").exit()).isZero();

    bob.send(cli + "acquire --session bob --wait 30 a.txt", "");
    Thread.sleep(1500); // a process test: bob's command is polling by now
    assertThat(executor.run(cli + "release --task T-4", "").exit()).isZero();
    Result waited = bob.receive();

    assertThat(waited.exit()).as(waited.stderr()).isZero();
    assertThat(waited.stdout()).startsWith("locked  " + project + "/a.txt");
  }

  @Test
  void filesMode_eightSessionsRacingForOneFile_exactlyOneWins() throws Exception {
    List<Agent> racers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      racers.add(agent(Map.of()));
    }
    String command = filesCommand(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, "PreToolUse");
    for (int i = 0; i < racers.size(); i++) {
      racers.get(i).send(command, edit("PreToolUse", "racer-" + i, "contended.txt"));
    }
    int won = 0;
    int denied = 0;
    for (Agent racer : racers) {
      Result result = racer.receive();
      if (result.exit() == 0) {
        won++;
      } else if (result.exit() == 2) {
        denied++;
      }
    }
    assertThat(won).isEqualTo(1);
    assertThat(denied).isEqualTo(7);
  }

  @Test
  void filesMode_aStopThatMustRelease10000FileLocks_releasesThemAll_pastTheDeadline_andSaysNothingUntrue()
      throws Exception {
    // A short deadline, so that releasing 10,000 locks certainly outlasts it, on any machine.
    Agent alice = agent(Map.of("SESSION_LOCK_DEADLINE_MS", "300"));
    dev.parallelsessionlock.fs.FileLockStore store = dev.parallelsessionlock.fs.FileLockStore.open(locks).get();
    dev.parallelsessionlock.fs.FileHolderIndex index = dev.parallelsessionlock.fs.FileHolderIndex.of(store);
    dev.parallelsessionlock.core.ProcessRef agent = dev.parallelsessionlock.process.LocalProcesses.of(alice.pid);
    java.time.Instant now = java.time.Instant.now();
    dev.parallelsessionlock.core.WorkspaceHash workspace = dev.parallelsessionlock.core.WorkspaceHash.of(project.toString());
    for (int i = 0; i < 10_000; i++) { // what 10,000 edits by alice's hook leave: a record and an index entry each
      String path = project + "/src/File" + i + ".java";
      dev.parallelsessionlock.core.LockKey key = dev.parallelsessionlock.core.LockKey.file(workspace, path);
      index.add("alice", key);
      store.create(key, new dev.parallelsessionlock.core.LockRecord(1, "alice", agent, now, java.time.Duration.ofMinutes(5),
          now, now.toEpochMilli(), new dev.parallelsessionlock.core.LockRecord.Details(io.vavr.control.Option.some(path),
              io.vavr.control.Option.none(), io.vavr.control.Option.none(), io.vavr.control.Option.none(),
              io.vavr.control.Option.some("claude"))));
    }
    assertThat(fileLocks()).isEqualTo(10_000);

    Result stopped = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(50),
        () -> claudeFiles(alice, "Stop", claude("Stop", "alice", null)));

    assertThat(stopped).as("no notice: nothing was left unchecked").isEqualTo(new Result(0, "", ""));
    assertThat(fileLocks()).isZero();
    assertThat(Files.exists(locks.resolve("holders"))).isTrue();
    try (var holders = Files.list(locks.resolve("holders"))) {
      assertThat(holders).as("alice's index is empty and gone").isEmpty();
    }
  }

  private long fileLocks() throws IOException {
    try (var files = Files.list(locks)) {
      return files.filter(f -> f.getFileName().toString().startsWith("file-")).count();
    }
  }

  @Test
  void shellInit_givesTheSeedsClaimFunctions_whichReturnTheExecutablesExitCodes() throws Exception {
    Path items = Files.createDirectories(temp.resolve("items"));
    String item = "---\nid: WRK-157\nlocked_by: \"\"\nlocked_at: \"\"\n---\nbody\n";
    Files.writeString(items.resolve("WRK-157.md"), item);
    String script = "source <('" + LAUNCHER + "' shell-init)\n"
        + "claim_wrk WRK-157 --session alice; echo \"rc=$?\"\n"
        + "claim_wrk WRK-157 --session bob 2>/dev/null; echo \"rc=$?\"\n"
        + "release_wrk WRK-157 --session alice; echo \"rc=$?\"\n";
    ProcessBuilder builder = new ProcessBuilder("bash", "-c", script);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    builder.environment().put("SESSION_LOCK_ITEMS", items.toString());
    builder.redirectErrorStream(true);
    Process bash = builder.start();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor()).isZero();

    assertThat(output).isEqualTo("claimed WRK-157 for session alice (" + items.resolve("WRK-157.md") + ")\nrc=0\n"
        + "rc=4\nreleased WRK-157\nrc=0\n");
    assertThat(Files.readString(items.resolve("WRK-157.md"))).isEqualTo(item);
  }

  @Test
  void aSqliteStore_isSharedByTheHooksOfTwoSessions() throws Exception {
    Map<String, String> store = Map.of("SESSION_LOCK_STORE", "jdbc:sqlite:" + temp.resolve("locks.db"));
    Agent alice = agent(store);
    Agent bob = agent(store);

    assertThat(hook(alice, "", claude("PreToolUse", "alice", "Edit"))).isEqualTo(new Result(0, "", ""));
    Result denied = hook(bob, "", claude("PreToolUse", "bob", "Edit"));
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains("parallel session lock held by alice (pid " + alice.pid + ")");
    assertThat(Files.exists(record())).as("nothing in the lock directory").isFalse();
    hook(alice, "", claude("Stop", "alice", null));
    assertThat(hook(bob, "", claude("PreToolUse", "bob", "Edit")).exit()).isZero();
  }

  @Test
  void aDatabaseThatIsDown_failsOpen_andSaysSoOnce() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Agent alice = agent(Map.of("SESSION_LOCK_STORE", "jdbc:postgresql://127.0.0.1:" + port + "/locks",
        "SESSION_LOCK_STORE_PASSWORD", "hunter2", "SESSION_LOCK_STORE_USER", "u"));

    Result first = hook(alice, "", claude("PreToolUse", "db-down-" + System.nanoTime(), "Edit"));

    assertThat(first.exit()).isZero();
    assertThat(first.stderr()).contains("session-lock:", "allowing").doesNotContain("hunter2");
    assertThat(first.stdout()).contains("systemMessage");
  }

  @Test
  void aPostgresStore_isSharedByTwoSessionsInFilesMode_andTheirStopsRelease() throws Exception {
    String url = dev.parallelsessionlock.jdbc.PostgresCluster.url();
    dev.parallelsessionlock.jdbc.JdbcStores.open(url, Map.of(), java.time.Duration.ofSeconds(5)).get().clearAll();
    Map<String, String> store = Map.of("SESSION_LOCK_STORE", url, "SESSION_LOCK_STORE_CLOCK", "database");
    Agent alice = agent(store);
    Agent bob = agent(store);
    String files = filesCommand(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, "PreToolUse");

    assertThat(alice.run(files, edit("PreToolUse", "alice", "a.txt")).exit()).isZero();
    assertThat(bob.run(files, edit("PreToolUse", "bob", "b.txt")).exit()).isZero();
    Result denied = bob.run(files, edit("PreToolUse", "bob", "a.txt"));
    assertThat(denied.exit()).as(denied.stderr()).isEqualTo(2);
    assertThat(denied.stderr()).contains(project + "/a.txt - session alice (claude, pid " + alice.pid + ")");
    assertThat(alice.run(filesCommand(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, "Stop"), claude("Stop", "alice", null))
        .exit()).isZero();
    assertThat(bob.run(files, edit("PreToolUse", "bob", "a.txt")).exit()).isZero();
  }
}
