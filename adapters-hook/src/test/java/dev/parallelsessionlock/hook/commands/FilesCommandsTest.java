package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.runtime.HookArgs;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import dev.parallelsessionlock.hook.runtime.HookResult;
import dev.parallelsessionlock.hook.runtime.HookRunner;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code session-lock files ...} and {@code status}, in-process, against the hook in files mode. */
final class FilesCommandsTest {

  @TempDir
  Path temp;

  private Path project;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  private final ProcessRef executor = LocalProcesses.current();
  private final ProcessRef agent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectories(temp.resolve("project/.git")).getParent().toRealPath();
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
  }

  private int run(ProcessRef caller, String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Commands(env, project, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock, () -> caller).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private HookResult hook(String session, String file, ProcessRef agentProcess) {
    String payload = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + file + "\"}}";
    return HookRunner.run(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook", "--mode", "files"}, 1), HookConfig.from(env), temp, clock, () -> agentProcess);
  }

  @Test
  void taskLockTakenByTheCli_blocksASession_untilTheTaskReleasesIt() {
    assertThat(run(executor, "files", "acquire", "--task", "T1", "--ttl", "3600", "src/a.java", "src/b.java")).isZero();

    HookResult denied = hook("bob", "src/a.java", agent);
    assertThat(denied.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", denied.stderr())).contains(project + "/src/a.java - plan task T1 (pid " + executor.pid());

    assertThat(run(executor, "files", "release", "--task", "T1")).isZero();
    assertThat(out()).contains("released  " + project + "/src/a.java", "released  " + project + "/src/b.java");
    assertThat(hook("bob", "src/a.java", agent).exitCode()).isZero();
  }

  @Test
  void taskLockTakenFromInsideASession_letsThatSessionEditItsFiles() {
    env.put("CLAUDE_CODE_SESSION_ID", "alice");
    assertThat(run(agent, "files", "acquire", "--task", "T2", "a.txt")).isZero();
    env.remove("CLAUDE_CODE_SESSION_ID");

    assertThat(hook("alice", "a.txt", agent).exitCode()).as("the executor's own session").isZero();
    assertThat(hook("bob", "a.txt", executor).exitCode()).isEqualTo(2);
  }

  @Test
  void acquire_heldByAnother_isExit4_withOneLinePerHeldFile_andTakesNothing() {
    run(executor, "files", "acquire", "--session", "alice", "a.txt", "b.txt");

    assertThat(run(executor, "files", "acquire", "--session", "bob", "a.txt", "b.txt", "c.txt")).isEqualTo(4);

    assertThat(err().lines()).hasSize(2).allMatch(line -> line.startsWith("held: " + project + "/")
        && line.contains(" by session alice (no process known), for 0s, 5m0s left"));
    run(executor, "files", "list", "--session", "bob");
    assertThat(out()).isEqualTo("no file locks\n");
  }

  @Test
  void sessionFromTheEnvironment_isTheDefault_andReleaseWithoutFilesFreesAllOfIt() {
    env.put("CLAUDE_CODE_SESSION_ID", "alice");

    assertThat(run(agent, "files", "acquire", "a.txt", "b.txt")).isZero();
    assertThat(run(agent, "files", "release")).isZero();
    assertThat(out()).contains("released  " + project + "/a.txt", "released  " + project + "/b.txt");
  }

  @Test
  void acquire_withAnAgentNobodyKnows_isAUsageErrorNamingTheAgents_andLocksNothing() {
    assertThat(run(executor, "files", "acquire", "--session", "alice", "--agent", "weird", "a.txt")).isEqualTo(64);

    assertThat(err().lines()).hasSize(1).allMatch(line -> line.contains("claude, copilot, codex or gemini"));
    run(executor, "files", "list");
    assertThat(out()).isEqualTo("no file locks\n");
  }

  @Test
  void acquire_saysWhatHappenedToEachFileInWords() {
    assertThat(run(executor, "files", "acquire", "--session", "alice", "a.txt")).isZero();
    assertThat(out()).startsWith("locked  " + project + "/a.txt  until ");
    assertThat(run(executor, "files", "acquire", "--session", "alice", "a.txt")).isZero();
    assertThat(out()).startsWith("renewed  " + project + "/a.txt  until ");
    clock.advance(Duration.ofMinutes(6));

    assertThat(run(executor, "files", "acquire", "--session", "bob", "a.txt")).isZero();

    assertThat(out()).startsWith("took over  " + project + "/a.txt  until ")
        .endsWith(" (from session alice (no process known): its lease had run out)\n").doesNotContain("_", "stale");
  }

  @Test
  void noHolderAtAll_isAUsageError() {
    assertThat(run(executor, "files", "acquire", "a.txt")).isEqualTo(64);
    assertThat(err()).contains("--session S or --task T");
  }

  @Test
  void releaseOfAnotherHoldersFile_isRefused_andForceRemovesIt_namingTheHolder() {
    run(executor, "files", "acquire", "--task", "T1", "a.txt");

    assertThat(run(executor, "files", "release", "--session", "bob", "a.txt")).isEqualTo(4);
    assertThat(err()).contains("not yours: " + project + "/a.txt is held by plan task T1");
    assertThat(run(executor, "files", "release", "--force", "a.txt")).isZero();
    assertThat(out()).isEqualTo("removed  " + project + "/a.txt  held by plan task T1 (pid " + executor.pid() + ")\n");
  }

  @Test
  void releaseOfAFileNobodyHolds_namesThePath_andIsExit0() {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");

    assertThat(run(executor, "files", "release", "--session", "alice", "a.txt", "free.txt")).isZero();

    assertThat(out()).isEqualTo("not locked  " + project + "/free.txt\nreleased  " + project + "/a.txt\n");
    assertThat(err()).isEmpty();
    assertThat(run(executor, "files", "release", "--task", "T1", "free.txt")).isZero();
    assertThat(out()).isEqualTo("not locked  " + project + "/free.txt\n");
    assertThat(out() + err()).doesNotContain("file-");
  }

  @Test
  void releaseAndAcquire_ofAFileWithAnUnreadableRecord_nameThePath_notTheKey() throws Exception {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");
    Path record;
    try (var records = Files.list(temp.resolve("locks"))) {
      record = records.filter(f -> f.getFileName().toString().startsWith("file-")).findFirst().orElseThrow();
    }
    Files.writeString(record, "{torn");
    Files.setLastModifiedTime(record, java.nio.file.attribute.FileTime.from(clock.instant()));

    assertThat(run(executor, "files", "release", "--session", "bob", "a.txt")).isEqualTo(4);
    assertThat(err()).isEqualTo("not yours: " + project + "/a.txt has an unreadable lock record, counted as held for 5m0s"
        + " (files release --force removes it)\n");
    assertThat(run(executor, "files", "acquire", "--session", "bob", "a.txt")).isEqualTo(4);
    assertThat(err()).isEqualTo("held: " + project + "/a.txt by an unreadable lock record, 5m0s left\n");
  }

  @Test
  void listJson_givesPathHolderPidLivenessAndTimes() throws Exception {
    run(executor, "files", "acquire", "--task", "T1", "--agent", "claude", "a.txt");
    clock.advance(Duration.ofSeconds(30));
    run(executor, "files", "acquire", "--task", "T1", "a.txt");

    assertThat(run(executor, "files", "list", "--json")).isZero();
    JsonObject lock = JsonParser.array().from(out()).getObject(0);
    assertThat(lock.getString("path")).isEqualTo(project + "/a.txt");
    assertThat(lock.getString("holder_kind")).isEqualTo("task");
    assertThat(lock.getString("holder_id")).isEqualTo("T1");
    assertThat(lock.getLong("pid")).isEqualTo(executor.pid());
    assertThat(lock.getString("liveness")).isEqualTo("alive");
    assertThat(Instant.parse(lock.getString("heartbeat")))
        .isEqualTo(Instant.parse(lock.getString("acquired")).plusSeconds(30));
    assertThat(Instant.parse(lock.getString("expires"))).isEqualTo(Instant.parse(lock.getString("heartbeat")).plusSeconds(300));
  }

  @Test
  void wait_givesUpAfterItsTime_withExit4() {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");

    assertThat(run(executor, "files", "acquire", "--session", "bob", "--wait", "0", "a.txt")).isEqualTo(4);
  }

  @Test
  void acquireWait_whileItWaitsInLine_isServedBeforeANewcomer() throws Exception {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");
    ByteArrayOutputStream bobOut = new ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<Integer> bob = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> new Commands(env, project, new PrintStream(bobOut, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock, () -> executor)
            .run(new String[] {"files", "acquire", "--session", "bob", "--wait", "20", "a.txt"}));
    while (!bob.isDone() && !hasTicket()) {
      Thread.sleep(5); // bob waits in line
    }

    assertThat(run(executor, "files", "release", "--session", "alice")).isZero();
    int carol = run(executor, "files", "acquire", "--session", "carol", "a.txt");

    assertThat(bob.get()).isZero();
    assertThat(bobOut.toString(StandardCharsets.UTF_8)).contains("locked  " + project + "/a.txt");
    assertThat(carol).as("the newcomer does not overtake bob").isEqualTo(4);
  }

  @Test
  void acquireWait_whoseTimeEnds_saysThePlaceInLine() {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");

    assertThat(run(executor, "files", "acquire", "--session", "bob", "--wait", "1", "a.txt")).isEqualTo(4);

    assertThat(err()).contains("held: " + project + "/a.txt by session alice", "next in line (1st)",
        "run the same command again");
  }

  @Test
  void list_whileASessionWaitsInLine_showsTheLocksAndNotTheLinesOwnRecords() throws Exception {
    run(executor, "files", "acquire", "--session", "alice", "a.txt");
    run(executor, "files", "acquire", "--session", "bob", "--wait", "1", "a.txt");
    assertThat(hasTicket()).as("bob keeps his place").isTrue();

    assertThat(run(executor, "list")).isZero();
    assertThat(out()).contains(project + "/a.txt").doesNotContain("wait-", "line-");
    assertThat(out().lines().count()).as("the lock, then its line").isEqualTo(3);
    assertThat(out()).contains("waiting for " + project + "/a.txt:\n  1st in line: session bob (pid ");
    assertThat(run(executor, "files", "list")).isZero();
    assertThat(out()).doesNotContain("wait-", "line-");
  }

  private boolean hasTicket() throws IOException {
    try (java.util.stream.Stream<Path> files = Files.list(temp.resolve("locks"))) {
      return files.anyMatch(f -> f.getFileName().toString().startsWith("wait-"));
    }
  }

  @Test
  void status_showsWhoIsWorkingHere_withTheirFiles() throws Exception {
    hook("alice", "a.txt", agent);
    run(executor, "files", "acquire", "--task", "T9", "b.txt");

    assertThat(run(executor, "status")).isZero();
    assertThat(out()).contains("files      session alice (claude, pid " + agent.pid() + ") alive, since 0s, 1 file:\n"
        + "             " + project + "/a.txt\n", "files      plan task T9 (pid " + executor.pid() + ") alive");
    assertThat(run(executor, "status", "--json")).isZero();
    JsonArray holders = JsonParser.object().from(out()).getArray("file_holders");
    assertThat(holders).hasSize(2);
  }
}
