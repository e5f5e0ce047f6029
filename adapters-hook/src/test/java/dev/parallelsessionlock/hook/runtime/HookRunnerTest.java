package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.util.List;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HookRunnerTest {

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  /** Two live processes stand in for two agents: this JVM and its parent. */
  private final ProcessRef aliceAgent = LocalProcesses.current();
  private final ProcessRef bobAgent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectory(temp.resolve("project"));
    locks = temp.resolve("locks");
    env.put("SESSION_LOCK_DIR", locks.toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
  }

  private HookResult run(String payload, ProcessRef agent) {
    return run(payload.getBytes(StandardCharsets.UTF_8), agent, Option.none());
  }

  private HookResult run(byte[] payload, ProcessRef agent, Option<String> eventArgument) {
    return HookRunner.run(payload, eventArgument, HookConfig.from(env), temp, clock, () -> agent);
  }

  private String claude(String event, String session, String tool) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\""
        + (tool == null ? "" : ",\"tool_name\":\"" + tool + "\",\"tool_input\":{\"file_path\":\"" + project + "/x\"}") + "}";
  }

  private Path recordFile() throws IOException {
    return locks.resolve("session-lock-" + dev.parallelsessionlock.core.WorkspaceHash.of(project.toRealPath().toString()).hex() + ".json");
  }

  @Test
  void preToolUse_onAFreeWorkspace_allowsSilentlyAndWritesTheLease() throws IOException {
    HookResult result = run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(result).isEqualTo(HookResult.allow());
    assertThat(Files.readString(recordFile())).contains("\"session_id\":\"alice\"", "\"pid\":" + aliceAgent.pid());
  }

  @Test
  void preToolUse_whileAnotherLiveSessionHoldsIt_deniesInEveryAgentsForm() {
    env.put("SESSION_LOCK_HOME", temp.resolve("install").toString()); // no launcher ran this: the installed one
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    HookResult result = run(claude("PreToolUse", "bob", "Write"), bobAgent);

    assertThat(result.exitCode()).isEqualTo(2);
    String reason = "parallel session lock held by alice (pid " + aliceAgent.pid()
        + ") - wait or close that session first, lease ends in 5m0s. Workspace " + project
        + "; if that session is gone: '" + temp.resolve("install/bin/session-lock") + "' release --force --dir '"
        + project + "'";
    assertThat(result.stdout()).isEqualTo("{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\","
        + "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\"" + reason + "\"},"
        + "\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\"" + reason + "\"}\n");
    assertThat(result.stderr()).containsExactly(reason);
  }

  private List<Path> tickets() throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(locks)) {
      return files.filter(f -> f.getFileName().toString().startsWith("wait-")).toList();
    }
  }

  @Test
  void preToolUse_whileAnotherSessionHoldsIt_waitsInLineAndRunsOnceTheHolderEndsItsTurn() throws Exception {
    env.put("SESSION_LOCK_WAIT_MS", "20000");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    java.util.concurrent.CompletableFuture<HookResult> bob = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> run(claude("PreToolUse", "bob", "Write"), bobAgent));
    while (tickets().isEmpty() && !bob.isDone()) {
      Thread.sleep(5); // bob's ticket: it waits in line
    }

    run(claude("Stop", "alice", null), aliceAgent);

    assertThat(bob.get().exitCode()).isZero();
    assertThat(Files.readString(recordFile())).contains("\"session_id\":\"bob\"");
    assertThat(tickets()).as("bob left the line when granted").isEmpty();
  }

  @Test
  void preToolUse_whoseWaitEnds_deniesNamingTheHolderWhatItDoesAndThePlaceInLine() throws IOException {
    env.put("SESSION_LOCK_WAIT_MS", "50");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    HookResult result = run(claude("PreToolUse", "bob", "Write"), bobAgent);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", result.stderr())).contains("parallel session lock held by alice", "Waited ",
        "next in line (1st)", "session alice (claude, pid " + aliceAgent.pid() + "), doing Edit " + project + "/x",
        "lease ends in 5m0s", "Your place is kept until");
    assertThat(tickets()).as("a denied waiter keeps its place").hasSize(1);
  }

  @Test
  void stop_ofASessionThatWaitsInLine_leavesTheLine() throws IOException {
    env.put("SESSION_LOCK_WAIT_MS", "50");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    run(claude("PreToolUse", "bob", "Write"), bobAgent);

    env.put("COPILOT_CLI", "1"); // an agent without a waker: Copilot CLI running Claude Code's registration
    run(claude("Stop", "bob", null), bobAgent);

    assertThat(tickets()).isEmpty();
  }

  @Test
  void stop_ofAClaudeCodeSessionThatWaitsInLine_keepsItsPlaceForItsWaker() throws IOException {
    env.put("SESSION_LOCK_WAIT_MS", "50");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    run(claude("PreToolUse", "bob", "Write"), bobAgent);

    run(claude("Stop", "bob", null), bobAgent);

    assertThat(tickets()).as("the waker (Rewake) keeps it and wakes bob when it is his turn").hasSize(1);
    run(claude("SessionEnd", "bob", null), bobAgent);
    assertThat(tickets()).as("the end of the session leaves every line").isEmpty();
  }

  @Test
  void preToolUse_withWaitingOff_deniesAtOnceAndKeepsNoPlace() throws IOException {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("PreToolUse", "bob", "Write"), bobAgent).exitCode()).isEqualTo(2);

    assertThat(tickets()).isEmpty();
  }

  @Test
  void postToolUse_ofTheHolder_recordsWhatItIsDoing() throws IOException {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    run(claude("PostToolUse", "alice", "Write").replace(project + "/x", project + "/y"), aliceAgent);

    assertThat(Files.readString(recordFile())).contains("\"doing\":\"Write " + project + "/y\"");
  }

  @Test
  void preToolUse_bySameSessionAgain_allows() {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("PreToolUse", "alice", "Bash"), aliceAgent)).isEqualTo(HookResult.allow());
  }

  @Test
  void preToolUse_bySameAgentProcessUnderANewSessionId_allows() {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("PreToolUse", "alice-after-compaction", "Edit"), aliceAgent).exitCode()).isZero();
  }

  @Test
  void ownerSession_makesANewSessionIdInTheSameProcessARival() {
    env.put("SESSION_LOCK_OWNER", "session");
    run(claude("PreToolUse", "sdk-session-1", "Edit"), aliceAgent);

    assertThat(run(claude("PreToolUse", "sdk-session-2", "Edit"), aliceAgent).exitCode()).isEqualTo(2);
  }

  @Test
  void preToolUse_afterTheLeaseExpired_takesOverAndSaysFromWhom() {
    env.put("SESSION_LOCK_TTL_MS", "1000");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    clock.advance(Duration.ofMillis(1000));

    HookResult result = run(claude("PreToolUse", "bob", "Edit"), bobAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).containsExactly("session-lock: took the workspace lock over from session alice (pid "
        + aliceAgent.pid() + "): its lease had run out");
  }

  @Test
  void preToolUse_whenTheHolderAgentIsDead_takesOver() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    ProcessRef deadAgent = LocalProcesses.of(gone.toHandle());
    gone.waitFor();
    run(claude("PreToolUse", "alice", "Edit"), deadAgent);

    HookResult result = run(claude("PreToolUse", "bob", "Edit"), bobAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(String.join("", result.stderr())).contains("from session alice", ": its holder is gone")
        .doesNotContain("_");
  }

  @Test
  void postToolUse_refreshesTheHoldersLease() throws IOException {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    clock.advance(Duration.ofMinutes(4));

    assertThat(run(claude("PostToolUse", "alice", "Edit"), aliceAgent)).isEqualTo(HookResult.allow());
    clock.advance(Duration.ofMinutes(4));
    assertThat(run(claude("PreToolUse", "bob", "Edit"), bobAgent).exitCode()).isEqualTo(2);
  }

  @Test
  void stopAndSessionEnd_release_andSubagentStopDoesNot() throws IOException {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("SubagentStop", "alice", null), aliceAgent)).isEqualTo(HookResult.allow());
    assertThat(Files.exists(recordFile())).isTrue();
    assertThat(run(claude("Stop", "alice", null), aliceAgent)).isEqualTo(HookResult.allow());
    assertThat(Files.exists(recordFile())).isFalse();
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    run(claude("SessionEnd", "alice", null), aliceAgent);
    assertThat(Files.exists(recordFile())).isFalse();
  }

  @Test
  void stopByAnotherSession_leavesTheLockAlone() throws IOException {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("Stop", "bob", null), bobAgent)).isEqualTo(HookResult.allow());
    assertThat(Files.exists(recordFile())).isTrue();
  }

  @Test
  void readOnlyTools_neverTouchTheStore() {
    AtomicInteger agentLookups = new AtomicInteger();
    HookResult result = HookRunner.run(claude("PreToolUse", "alice", "Read").getBytes(StandardCharsets.UTF_8),
        Option.none(), HookConfig.from(env), temp, clock, () -> {
          agentLookups.incrementAndGet();
          return aliceAgent;
        });

    assertThat(result).isEqualTo(HookResult.allow());
    assertThat(agentLookups).hasValue(0);
    assertThat(Files.exists(locks)).isFalse();
  }

  @Test
  void optOut_allowsEverythingAndTouchesNothing() {
    env.put("CLAUDE_FILE_LOCK", "0");
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(run(claude("PreToolUse", "bob", "Edit"), bobAgent)).isEqualTo(HookResult.allow());
    assertThat(Files.exists(locks)).isFalse();
  }

  @Test
  void copilotCamelCase_contendsWithClaudeForTheSameWorkspace() {
    run(claude("PreToolUse", "alice", "Edit"), aliceAgent);
    String copilot = "{\"sessionId\":\"copilot-1\",\"timestamp\":1795341600000,\"cwd\":\"" + project + "\","
        + "\"toolName\":\"edit\",\"toolArgs\":\"{\\\"path\\\":\\\"" + project + "/x\\\"}\"}";

    HookResult result = run(copilot.getBytes(StandardCharsets.UTF_8), bobAgent, Option.some("preToolUse"));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).contains("\"permissionDecision\":\"deny\"");
  }

  @Test
  void missingSessionId_usesTheAgentProcessAsTheOwner() throws IOException {
    String old = "{\"cwd\":\"" + project + "\",\"toolName\":\"bash\",\"toolArgs\":\"{}\"}";

    run(old.getBytes(StandardCharsets.UTF_8), aliceAgent, Option.some("preToolUse"));

    assertThat(Files.readString(recordFile())).contains("\"session_id\":\"agent-pid-" + aliceAgent.pid() + "\"");
  }

  @Test
  void claudeProjectDir_isTheWorkspaceWhateverTheCwd() throws IOException {
    env.put("CLAUDE_PROJECT_DIR", project.toString());
    Path sub = Files.createDirectories(project.resolve("src/deep"));
    run(claude("PreToolUse", "alice", "Edit").replace("\"cwd\":\"" + project + "\"", "\"cwd\":\"" + sub + "\""), aliceAgent);

    assertThat(Files.exists(recordFile())).isTrue();
  }

  @Test
  void cwdInsideAGitWorkTree_locksTheWholeTree() throws IOException {
    Files.createDirectory(project.resolve(".git"));
    Path sub = Files.createDirectories(project.resolve("src/deep"));
    run(claude("PreToolUse", "alice", "Edit").replace("\"cwd\":\"" + project + "\"", "\"cwd\":\"" + sub + "\""), aliceAgent);

    assertThat(run(claude("PreToolUse", "bob", "Edit"), bobAgent).exitCode()).isEqualTo(2);
  }

  @Test
  void garbageInput_allowsWithOneWarning() {
    List<String> notJson = run("not json".getBytes(StandardCharsets.UTF_8), aliceAgent, Option.none()).stderr();
    assertThat(notJson).containsExactly("session-lock: hook input is not a JSON object; allowing");
    assertThat(run(new byte[0], aliceAgent, Option.none()).stderr())
        .containsExactly("session-lock: hook input is not a JSON object; allowing");
    assertThat(run(new byte[] {0, (byte) 0xff, 0x13, (byte) 0x80}, aliceAgent, Option.none()).exitCode()).isZero();
    assertThat(run("[1,2,3]".getBytes(StandardCharsets.UTF_8), aliceAgent, Option.none()).exitCode()).isZero();
    HookResult huge = HookRunner.run(Payloads.stream("{\"a\":\"", HookRunner.MAX_INPUT_BYTES, "\"}"), Option.none(),
        HookConfig.from(env), temp, clock, () -> aliceAgent);
    assertThat(huge.exitCode()).isZero();
    assertThat(huge.stderr()).containsExactly("session-lock: hook input is larger than 67108864 bytes; allowing");
  }

  @Test
  void unusableLockDirectory_allowsWithTheReason() throws IOException {
    Files.writeString(locks, "a file where the directory should be");

    HookResult result = run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stderr()).hasSize(1);
    assertThat(result.stderr().get(0)).startsWith("session-lock: lock store unavailable: cannot use lock directory: ")
        .endsWith("locks: is not a directory; allowing");
  }

  @Test
  void badSettings_warnAndFallBackToDefaults() {
    env.put("SESSION_LOCK_TTL_MS", "soon");

    HookResult result = run(claude("PreToolUse", "alice", "Edit"), aliceAgent);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stderr()).containsExactly(
        "session-lock: SESSION_LOCK_TTL_MS=soon is not a number of milliseconds from 1 to 86400000 (a day); using 300000");
  }

  @Test
  void relativeLockDirectory_isRefusedForTheDefault() {
    env.put("SESSION_LOCK_DIR", "locks");

    HookConfig config = HookConfig.from(env);

    assertThat(config.lockDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".claude", "runtime"));
    assertThat(config.warnings()).containsExactly("SESSION_LOCK_DIR=locks is not an absolute path; using ~/.claude/runtime");
  }

  @Test
  void ttlOfMoreThanADay_isRefused_withTheDefault() {
    env.put("SESSION_LOCK_TTL_MS", Long.toString(Long.MAX_VALUE));

    HookConfig config = HookConfig.from(env);

    assertThat(config.ttl()).isEqualTo(java.time.Duration.ofMinutes(5));
    assertThat(config.warnings()).containsExactly("SESSION_LOCK_TTL_MS=" + Long.MAX_VALUE
        + " is not a number of milliseconds from 1 to 86400000 (a day); using 300000");
  }
}
