package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workspace mode and files mode on one checkout, as a person installs them (Claude Code in workspace mode, Codex
 * in files mode, {@code doctor} says both are on): one namespace. A workspace lease excludes the other sessions'
 * file locks and their tree-rewriting git calls; a session holding files excludes another session's workspace
 * lease. Each session is its own live agent process that runs the registered command of the built executable
 * through {@code sh -c}, real hook JSON on stdin.
 */
final class MixedModesIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final List<Agent> agents = new ArrayList<>();

  record Result(int exit, String stdout, String stderr) {}

  /** One agent CLI stand-in ({@link FakeAgent}), alive until the test ends. */
  final class Agent {
    final Process process;
    final long pid;
    final PrintStream toAgent;
    final BufferedReader fromAgent;

    Agent(Map<String, String> extraEnv) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), FakeAgent.class.getName());
      builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
          || name.startsWith("CODEX") || name.startsWith("GEMINI") || name.startsWith("COPILOT"));
      builder.environment().put("SESSION_LOCK_DIR", locks.toString());
      builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
      builder.environment().putAll(extraEnv);
      builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      process = builder.start();
      toAgent = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      fromAgent = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = fromAgent.readLine();
      assertThat(ready).startsWith("READY ");
      pid = Long.parseLong(ready.substring(6));
      agents.add(this);
    }

    Result run(String command, String payload) throws IOException {
      send(command, payload);
      return receive();
    }

    void send(String command, String payload) {
      toAgent.println(command + "\t" + payload);
    }

    Result receive() throws IOException {
      String[] answer = fromAgent.readLine().split("\t", -1);
      Base64.Decoder b64 = Base64.getDecoder();
      return new Result(Integer.parseInt(answer[0]), new String(b64.decode(answer[1]), StandardCharsets.UTF_8),
          new String(b64.decode(answer[2]), StandardCharsets.UTF_8));
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectory(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
    Process init = new ProcessBuilder("git", "init", "-q", project.toString()).redirectErrorStream(true).start();
    assertThat(init.waitFor()).isZero();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Agent agent : agents) {
      agent.process.destroyForcibly().waitFor();
    }
  }

  /** The command {@code install} registers for {@code agent}'s {@code event}, in workspace or files mode. */
  private static String registered(dev.parallelsessionlock.hook.runtime.Agent agent, String event, boolean filesMode) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(agent)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), agent, registration, filesMode);
      }
    }
    throw new IllegalArgumentException(event);
  }

  /** Claude Code, installed in workspace mode. */
  private Result claude(Agent agent, String event, String session, String file) throws IOException {
    String payload = "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"" + event
        + "\"" + (file == null ? "" : ",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + project + "/"
            + file + "\",\"old_string\":\"a\",\"new_string\":\"b\"}") + "}";
    return agent.run(registered(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, event, false), payload);
  }

  /** Codex, installed in files mode: {@code apply_patch} updating {@code file}, or a shell command. */
  private Result codex(Agent agent, String event, String session, String tool, String command) throws IOException {
    return agent.run(registered(dev.parallelsessionlock.hook.runtime.Agent.CODEX, event, true), codexPayload(event, session,
        tool, command));
  }

  private String codexPayload(String event, String session, String tool, String command) {
    return "{\"session_id\":\"" + session + "\",\"turn_id\":\"t1\",\"cwd\":\"" + project + "\",\"hook_event_name\":\""
        + event + "\",\"model\":\"gpt-5.5\",\"permission_mode\":\"bypassPermissions\""
        + (tool == null ? "" : ",\"tool_name\":\"" + tool + "\",\"tool_input\":{\"command\":" + JsonWriter.string(command)
            + "}") + "}";
  }

  private static String patch(String file) {
    return "*** Begin Patch\n*** Update File: " + file + "\n@@\n-a\n+b\n*** End Patch\n";
  }

  private long records(String prefix) throws IOException {
    if (!Files.isDirectory(locks)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(locks)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)
          && f.getFileName().toString().endsWith(".json")).count();
    }
  }

  @Test
  void workspaceHolder_deniesAFilesSessionsEditAndGitReset_andOnceReleasedBothPass() throws Exception {
    Agent claude = new Agent(Map.of());
    Agent codex = new Agent(Map.of());
    assertThat(claude(claude, "PreToolUse", "alice", "src/App.java")).isEqualTo(new Result(0, "", ""));

    Result edit = codex(codex, "PreToolUse", "bob", "apply_patch", patch("a.txt"));
    Result reset = codex(codex, "PreToolUse", "bob", "Bash", "git reset --hard");

    assertThat(edit.exit()).as(edit.stderr()).isEqualTo(2);
    assertThat(edit.stderr()).contains("work tree " + project, "session alice", "pid " + claude.pid,
        "workspace mode", "nothing was locked");
    assertThat(records("file-")).as("the denied edit left no file lock").isZero();
    assertThat(reset.exit()).as(reset.stderr()).isEqualTo(2);
    assertThat(reset.stderr()).contains("git reset would rewrite the work tree " + project, "session alice");

    assertThat(claude(claude, "Stop", "alice", null)).isEqualTo(new Result(0, "", ""));
    assertThat(codex(codex, "PreToolUse", "bob", "apply_patch", patch("a.txt"))).isEqualTo(new Result(0, "", ""));
    assertThat(codex(codex, "PreToolUse", "bob", "Bash", "git reset --hard"))
        .as("a session's own files never stop its own git call").isEqualTo(new Result(0, "", ""));
  }

  @Test
  void filesHolder_deniesAWorkspaceSessionsEdit_andOnceReleasedItPasses() throws Exception {
    Agent claude = new Agent(Map.of());
    Agent codex = new Agent(Map.of());
    assertThat(codex(codex, "PreToolUse", "bob", "apply_patch", patch("a.txt"))).isEqualTo(new Result(0, "", ""));

    Result denied = claude(claude, "PreToolUse", "alice", "src/App.java");

    assertThat(denied.exit()).as(denied.stderr()).isEqualTo(2);
    String reason = JsonParser.object().from(denied.stdout()).getString("permissionDecisionReason");
    assertThat(reason).contains(project + "/a.txt", "session bob", "pid " + codex.pid, "files mode");
    assertThat(records("session-lock-")).as("the denied session left no workspace lease").isZero();

    assertThat(codex(codex, "Stop", "bob", null, null)).isEqualTo(new Result(0, "", ""));
    assertThat(claude(claude, "PreToolUse", "alice", "src/App.java")).isEqualTo(new Result(0, "", ""));
  }

  /**
   * Eight sessions, four in each mode, each from its own agent process, send their edit at the same instant,
   * round after round: the winners are one workspace session, or files sessions only (each edits its own file),
   * never both kinds; nobody fails open.
   */
  @Test
  void eightRacersOfMixedModes_haveOneKindOfWinnerEveryRound() throws Exception {
    Map<String, String> env = Map.of("SESSION_LOCK_DEADLINE_MS", "30000"); // a slow start must not fail open
    List<Agent> workspace = new ArrayList<>();
    List<Agent> files = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      workspace.add(new Agent(env));
      files.add(new Agent(env));
    }
    String claudePre = registered(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE, "PreToolUse", false);
    String codexPre = registered(dev.parallelsessionlock.hook.runtime.Agent.CODEX, "PreToolUse", true);
    int workspaceRounds = 0;
    int filesRounds = 0;
    for (int round = 0; round < 24; round++) {
      for (int i = 0; i < 4; i++) {
        workspace.get(i).send(claudePre, "{\"session_id\":\"w" + i + "\",\"cwd\":\"" + project + "\","
            + "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + project
            + "/w.txt\",\"content\":\"x\"}}");
        files.get(i).send(codexPre, codexPayload("PreToolUse", "f" + i, "apply_patch", patch("f" + i + ".txt")));
      }
      List<Integer> workspaceWinners = new ArrayList<>();
      List<Integer> filesWinners = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Result w = workspace.get(i).receive();
        Result f = files.get(i).receive();
        assertThat(w.stderr() + f.stderr()).as("round %d: nobody fails open", round).doesNotContain("allowing");
        assertThat(List.of(w.exit(), f.exit())).as("round %d", round).allMatch(exit -> exit == 0 || exit == 2);
        if (w.exit() == 0) {
          workspaceWinners.add(i);
        }
        if (f.exit() == 0) {
          filesWinners.add(i);
        }
      }
      assertThat(workspaceWinners.size() + filesWinners.size()).as("round %d has a winner", round).isPositive();
      assertThat(workspaceWinners.isEmpty() || filesWinners.isEmpty())
          .as("round %d: workspace winners %s and files winners %s at once", round, workspaceWinners, filesWinners)
          .isTrue();
      assertThat(workspaceWinners).as("round %d: one workspace lease", round).hasSizeLessThanOrEqualTo(1);
      assertThat(records("session-lock-")).as("round %d: the store agrees", round).isEqualTo(workspaceWinners.size());
      assertThat(records("file-")).as("round %d: the store agrees", round).isEqualTo(filesWinners.size());
      workspaceRounds += workspaceWinners.isEmpty() ? 0 : 1;
      filesRounds += filesWinners.isEmpty() ? 0 : 1;
      for (int i : workspaceWinners) {
        assertThat(claude(workspace.get(i), "Stop", "w" + i, null).exit()).isZero();
      }
      for (int i : filesWinners) {
        assertThat(codex(files.get(i), "Stop", "f" + i, null, null).exit()).isZero();
      }
      assertThat(records("session-lock-") + records("file-")).as("after round %d, all released", round).isZero();
    }
    System.out.printf("mixed-mode race: %d rounds won by a workspace session, %d by files sessions%n",
        workspaceRounds, filesRounds);
  }
}
