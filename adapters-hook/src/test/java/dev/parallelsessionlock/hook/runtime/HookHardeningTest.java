package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.commands.Commands;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook's side of the lease hardening (issue 7), against the real file store and fake agents. */
final class HookHardeningTest {

  @TempDir
  Path temp;

  private Path repo;
  private Path sub;
  private Path locks;
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final ProcessRef aliceAgent = LocalProcesses.current();
  private final ProcessRef bobAgent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectories(temp.resolve("repo/.git")).getParent().toRealPath();
    sub = Files.createDirectories(repo.resolve("sub"));
    locks = temp.resolve("locks");
  }

  private Map<String, String> env(String projectDir) {
    Map<String, String> env = new HashMap<>();
    env.put("SESSION_LOCK_DIR", locks.toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
    if (projectDir != null) {
      env.put("CLAUDE_PROJECT_DIR", projectDir);
    }
    return env;
  }

  private HookResult run(Map<String, String> env, String payload, ProcessRef agent) {
    return run(env, new java.io.ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), agent);
  }

  private HookResult run(Map<String, String> env, InputStream payload, ProcessRef agent) {
    return HookRunner.run(payload, Option.none(), HookConfig.from(env), temp, clock, () -> agent);
  }

  private static String event(String name, String session, String cwd, String tool, String input) {
    return "{\"hook_event_name\":\"" + name + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + cwd
        + "\",\"tool_name\":\"" + tool + "\",\"tool_input\":" + input + "}";
  }

  private String record() throws IOException {
    return Files.readString(locks.resolve("session-lock-" + WorkspaceHash.of(repo.toString()).hex() + ".json"));
  }

  @Test
  void projectDirsOfTheRepoAndOfASubdirectory_areOneWorkspace() throws IOException {
    run(env(repo.toString()), event("PreToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);

    HookResult bob = run(env(sub.toString()), event("PreToolUse", "bob", sub.toString(), "Edit", "{}"), bobAgent);

    assertThat(bob.exitCode()).isEqualTo(2);
    assertThat(record()).contains("\"path\":\"" + repo + "\"");
  }

  @Test
  void statusForASubdirectory_reportsTheRepositorysLease() {
    run(env(repo.toString()), event("PreToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code = new Commands(env(null), temp, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock)
        .run(new String[] {"status", "--dir", sub.toString()});

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("workspace  " + repo, "held by session alice");
  }

  @Test
  void aToolCallThatDeclaresALongTimeout_leasesForItAndAMargin_andPostToolUseGoesBackToTheTtl() throws IOException {
    run(env(null), event("PreToolUse", "alice", repo.toString(), "Bash",
        "{\"command\":\"make test\",\"timeout\":600000}"), aliceAgent);
    assertThat(record()).contains("\"ttl_ms\":660000");
    clock.advance(Duration.ofMinutes(9));
    assertThat(run(env(null), event("PreToolUse", "bob", repo.toString(), "Edit", "{}"), bobAgent).exitCode())
        .as("nine minutes into a ten-minute call the lease still holds").isEqualTo(2);

    run(env(null), event("PostToolUse", "alice", repo.toString(), "Bash", "{\"command\":\"make test\"}"), aliceAgent);

    assertThat(record()).contains("\"ttl_ms\":300000");
  }

  @Test
  void aHolderWhoseLeaseWasTakenOver_isToldAfterItsToolCall_andOnItsNextCall() {
    Map<String, String> env = env(null);
    env.put("SESSION_LOCK_TTL_MS", "60000");
    run(env, event("PreToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);
    clock.advance(Duration.ofMinutes(2)); // a permission prompt that took two minutes
    assertThat(run(env, event("PreToolUse", "bob", repo.toString(), "Edit", "{}"), bobAgent).exitCode()).isZero();
    String at = clock.instant().toString().substring(11, 16) + " UTC";

    HookResult after = run(env, event("PostToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);
    HookResult next = run(env, event("PreToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);

    String notice = "your workspace lease was taken over by session bob at " + at
        + " (it had run out); another session may have edited since.";
    assertThat(after.exitCode()).isZero();
    assertThat(after.stdout()).isEqualTo("{\"hookSpecificOutput\":{\"hookEventName\":\"PostToolUse\","
        + "\"additionalContext\":\"" + notice + "\"}}\n");
    assertThat(after.stderr()).containsExactly("session-lock: " + notice);
    assertThat(next.exitCode()).isEqualTo(2);
    assertThat(next.stderr().get(0)).startsWith(notice + " parallel session lock held by bob");
  }

  @Test
  void aWriteOf64MiB_isStillChecked_andDenied() {
    run(env(null), event("PreToolUse", "alice", repo.toString(), "Write", "{}"), aliceAgent);
    String head = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"bob\",\"cwd\":\"" + repo
        + "\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + repo + "/big.bin\",\"content\":\"";
    String tail = "\"}}";

    HookResult bob = run(env(null),
        Payloads.stream(head, JsonSkim.MAX_INPUT_BYTES - head.length() - tail.length(), tail), bobAgent);

    assertThat(bob.exitCode()).isEqualTo(2);
  }

  @Test
  void ownerSession_stillRecordsTheHostAndTheExactIdentity() throws IOException {
    Map<String, String> env = env(null);
    env.put("SESSION_LOCK_OWNER", "session");

    run(env, event("PreToolUse", "alice", repo.toString(), "Edit", "{}"), aliceAgent);

    assertThat(record()).contains("\"host\":", "\"boot_id\":", "\"pid_ns\":", "\"start_ticks\":");
  }

  @Test
  void lateEndOfAnOldSessionId_afterClear_releasesNothing() throws IOException {
    run(env(null), event("PreToolUse", "before-clear", repo.toString(), "Edit", "{}"), aliceAgent);
    run(env(null), event("PreToolUse", "after-clear", repo.toString(), "Edit", "{}"), aliceAgent);

    run(env(null), "{\"hook_event_name\":\"SessionEnd\",\"session_id\":\"before-clear\",\"cwd\":\"" + repo + "\"}",
        aliceAgent);

    assertThat(record()).contains("\"session_id\":\"after-clear\"");
  }
}
