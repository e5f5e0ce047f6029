package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook in files mode, one event at a time, over a real lock directory and real processes as agents. */
final class FilesHookTest {

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  private final ProcessRef aliceAgent = LocalProcesses.current();
  private final ProcessRef bobAgent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectories(temp.resolve("project/.git")).getParent().toRealPath();
    locks = temp.resolve("locks");
    env.put("SESSION_LOCK_DIR", locks.toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
  }

  private HookResult run(String payload, ProcessRef agent, String... registration) {
    return HookRunner.run(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(Stream.concat(Stream.of("hook", "--mode", "files"), Stream.of(registration)).toArray(String[]::new), 1),
        HookConfig.from(env), temp, clock, () -> agent);
  }

  private String edit(String event, String session, String tool, String path) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"" + tool + "\",\"tool_input\":{\"file_path\":\"" + path + "\"}}";
  }

  private String bash(String session, String command) {
    return "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"" + command + "\"}}";
  }

  private String stop(String session) {
    return "{\"hook_event_name\":\"Stop\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\"}";
  }

  private long lockFiles() throws IOException {
    try (Stream<Path> files = Files.list(locks)) {
      return files.filter(f -> f.getFileName().toString().startsWith("file-")).count();
    }
  }

  @Test
  void preToolUse_onAFileWithAnUnreadableRecord_isDeniedNamingThePath_notTheKey() throws IOException {
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent);
    Path record;
    try (Stream<Path> files = Files.list(locks)) {
      record = files.filter(f -> f.getFileName().toString().startsWith("file-")).findFirst().orElseThrow();
    }
    Files.writeString(record, "{torn");

    HookResult denied = run(edit("PreToolUse", "bob", "Edit", "a.txt"), bobAgent);

    assertThat(denied.exitCode()).isEqualTo(2);
    String reason = String.join("\n", denied.stderr());
    assertThat(reason).contains("\n  " + project + "/a.txt - an unreadable lock record, counted as held for ",
        " files release --force '" + project + "/a.txt'").doesNotContain("file-");
  }

  @Test
  void preToolUse_sameSessionIdInAnotherLiveProcess_isDenied_asWorkspaceModeDenies() {
    assertThat(run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent).exitCode()).isZero();

    HookResult twin = run(edit("PreToolUse", "alice", "Edit", "a.txt"), bobAgent);

    assertThat(twin.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", twin.stderr())).contains(project + "/a.txt - session alice",
        "the same session id runs in another live process (resumed in a second terminal?); only one of them may edit");
  }

  @Test
  void preToolUse_twoSessionsOnDifferentFiles_bothAllowed() throws IOException {
    assertThat(run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent).exitCode()).isZero();
    assertThat(run(edit("PreToolUse", "bob", "Write", project + "/b.txt"), bobAgent).exitCode()).isZero();
    assertThat(lockFiles()).isEqualTo(2);
  }

  @Test
  void preToolUse_sameFileThroughASymlinkAndDotDot_isDenied_namingTheFileAndTheHolder() throws IOException {
    Files.createDirectories(project.resolve("src"));
    Files.createSymbolicLink(temp.resolve("link"), project);
    run(edit("PreToolUse", "alice", "Edit", "src/a.java"), aliceAgent);

    HookResult result = run(edit("PreToolUse", "bob", "Edit", temp.resolve("link") + "/src/../src/new/../a.java"), bobAgent);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).contains("\"permissionDecision\":\"deny\"");
    assertThat(String.join("\n", result.stderr())).contains(project + "/src/a.java - session alice (claude, pid "
        + aliceAgent.pid() + "), for 0s, lease ends in 5m0s", "files release --force '" + project + "/src/a.java'");
  }

  @Test
  void preToolUse_sameSessionAgain_renews_andPostToolUseKeepsItsLock() {
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent);
    clock.advance(Duration.ofMinutes(4));
    assertThat(run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent).exitCode()).isZero();
    clock.advance(Duration.ofMinutes(4));
    run(edit("PostToolUse", "alice", "Edit", "a.txt"), aliceAgent);
    clock.advance(Duration.ofMinutes(4));

    assertThat(run(edit("PreToolUse", "bob", "Edit", "a.txt"), bobAgent).exitCode()).as("still held").isEqualTo(2);
  }

  @Test
  void codexPatchTouchingAHeldFile_isDenied_andLeavesNothingLocked() throws IOException {
    run(edit("PreToolUse", "alice", "Edit", "b.txt"), aliceAgent);
    String patch = "{\"session_id\":\"c\",\"turn_id\":\"t\",\"model\":\"m\",\"cwd\":\"" + project + "\","
        + "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":"
        + "\"*** Begin Patch\\n*** Add File: c.txt\\n+x\\n*** Update File: b.txt\\n*** End Patch\\n\"}}";

    HookResult result = run(patch, bobAgent, "--agent", "codex");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).isEmpty();
    assertThat(String.join("\n", result.stderr())).contains(project + "/b.txt - session alice");
    assertThat(lockFiles()).as("c.txt was not left locked").isEqualTo(1);
  }

  @Test
  void gitCheckout_whileAnotherSessionHoldsFiles_isDenied_butNotForTheHolderItself() {
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent);

    HookResult bob = run(bash("bob", "git checkout main"), bobAgent);
    HookResult alice = run(bash("alice", "git checkout main"), aliceAgent);

    assertThat(bob.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", bob.stderr())).contains("git checkout would rewrite the work tree " + project,
        project + "/a.txt - session alice");
    assertThat(alice.exitCode()).isZero();
    assertThat(run(bash("bob", "make test"), bobAgent).exitCode()).as("other commands pass").isZero();
  }

  @Test
  void stop_releasesTheSessionsFiles_andOnlyThose() throws IOException {
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent);
    run(edit("PreToolUse", "alice", "Edit", "b.txt"), aliceAgent);
    run(edit("PreToolUse", "bob", "Edit", "c.txt"), bobAgent);

    assertThat(run(stop("alice"), aliceAgent).exitCode()).isZero();

    assertThat(lockFiles()).isEqualTo(1);
    assertThat(run(edit("PreToolUse", "bob", "Edit", "a.txt"), bobAgent).exitCode()).isZero();
    assertThat(run(edit("PreToolUse", "alice", "Edit", "c.txt"), aliceAgent).exitCode()).isEqualTo(2);
  }

  @Test
  void aDeadHoldersFile_isTakenOver_withANote() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    ProcessRef deadAgent = LocalProcesses.of(gone.toHandle());
    gone.waitFor();
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), deadAgent);

    HookResult result = run(edit("PreToolUse", "bob", "Edit", "a.txt"), bobAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(String.join("", result.stderr())).contains("took over the lock on " + project + "/a.txt (its holder is gone, was session alice");
  }

  @Test
  void anEditWhoseFilesCannotBeTold_failsOpen_andTellsTheUserOnce() {
    String session = "alice-" + java.util.UUID.randomUUID(); // the notice is once per session
    String emptied = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":\"\"}}";

    HookResult result = run(emptied, aliceAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains("systemMessage", "cannot tell which files apply_patch writes");
    assertThat(run(emptied, aliceAgent).stdout()).as("told once").isEmpty();
  }

  @Test
  void optOut_touchesNothing() {
    env.put("CLAUDE_FILE_LOCK", "0");

    assertThat(run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent)).isEqualTo(HookResult.allow());
    assertThat(Files.exists(locks)).isFalse();
  }

  @Test
  void filesMode_leavesTheWorkspaceLeaseAlone() throws IOException {
    run(edit("PreToolUse", "alice", "Edit", "a.txt"), aliceAgent);

    try (Stream<Path> files = Files.list(locks)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("session-lock-"));
    }
  }

  @Test
  void copilotCamelCaseEdit_andGeminiWriteFile_lockTheirFilesToo() {
    String copilot = "{\"sessionId\":\"cop\",\"cwd\":\"" + project + "\",\"toolName\":\"edit\",\"toolArgs\":{\"path\":\""
        + project + "/a.txt\",\"old_str\":\"x\",\"new_str\":\"y\"}}";
    String gemini = "{\"session_id\":\"gem\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"BeforeTool\","
        + "\"tool_name\":\"write_file\",\"tool_input\":{\"file_path\":\"" + project + "/a.txt\",\"content\":\"z\"}}";

    assertThat(run(copilot, aliceAgent, "--agent", "copilot", "preToolUse").exitCode()).isZero();
    HookResult denied = run(gemini, bobAgent, "--agent", "gemini");

    assertThat(denied.exitCode()).isZero();
    assertThat(denied.stdout()).startsWith("{\"decision\":\"deny\"").contains("session cop (copilot, pid");
  }
}
