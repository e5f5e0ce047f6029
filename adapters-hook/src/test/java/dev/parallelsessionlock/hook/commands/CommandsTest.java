package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.time.Duration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CommandsTest {

  @TempDir
  Path temp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));

  private int run(String... args) {
    env.putIfAbsent("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    return new Commands(env, temp, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void help_listsCommandsAndExitCodes() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("session-lock install", "Exit codes:", "64  usage error", "SESSION_LOCK_DIR");
  }

  @Test
  void noArguments_printsHelpAndIsAUsageError() {
    assertThat(run()).isEqualTo(64);
  }

  @Test
  void unknownCommandOrOption_isAUsageErrorWithOneLine() {
    env.put("SESSION_LOCK_LAUNCHER", "/opt/my tools/session-lock");
    assertThat(run("frobnicate")).isEqualTo(64);
    assertThat(run("status", "--bogus")).isEqualTo(64);
    assertThat(run("status", "--dir")).isEqualTo(64);
    assertThat(run("files")).isEqualTo(64);
    assertThat(run("files", "acquire", "--session", "s")).isEqualTo(64);
    String program = "'/opt/my tools/session-lock'";
    assertThat(err()).isEqualTo("session-lock: unknown command 'frobnicate' (see " + program + " --help)\n"
        + "session-lock: Unknown option: '--bogus' (see " + program + " status --help)\n"
        + "session-lock: Missing required parameter for option '--dir' (DIR) (see " + program + " status --help)\n"
        + "session-lock: Missing required subcommand (see " + program + " files --help)\n"
        + "session-lock: Missing required parameter: 'FILE' (see " + program + " files acquire --help)\n");
  }

  @Test
  void release_withoutForce_refuses() {
    assertThat(run("release")).isEqualTo(64);
    assertThat(err()).contains("confirm with --force");
  }

  @Test
  void statusAndRelease_ofAFreeWorkspace() throws Exception {
    Path ws = Files.createDirectory(temp.resolve("ws"));

    assertThat(run("status", "--dir", ws.toString())).isZero();
    assertThat(run("status", "--json", "--dir", ws.toString())).isZero();
    assertThat(run("release", "--force", "--dir", ws.toString())).isZero();

    String key = "session-lock-" + dev.parallelsessionlock.core.WorkspaceHash.of(ws.toRealPath().toString()).hex();
    assertThat(out()).isEqualTo("workspace  " + ws.toRealPath() + "\nlock       " + temp.resolve("locks").resolve(key + ".json")
        + "\nstate      free\nfiles      no file locks\n"
        + "{\"key\":\"" + key + "\",\"state\":\"free\",\"workspace\":\"" + ws.toRealPath() + "\",\"file_holders\":[]}\n"
        + "no lock on " + ws.toRealPath() + "\n");
  }

  @Test
  void lockDirectoryWritableByOthers_isExit69WithTheFix() throws Exception {
    Path shared = Files.createDirectory(temp.resolve("shared"));
    Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    env.put("SESSION_LOCK_DIR", shared.toString());

    assertThat(run("list")).isEqualTo(69);
    assertThat(err()).contains("is writable by other users");
  }

  @Test
  void lockDirectoryThatCannotBeMade_saysWhyInWords_notTheExceptionsName() throws Exception {
    Path file = Files.writeString(temp.resolve("a-file"), "x");
    env.put("SESSION_LOCK_DIR", file.resolve("locks").toString());

    assertThat(run("list")).isEqualTo(69);
    assertThat(err()).isEqualTo("session-lock: cannot use lock directory: " + file + ": exists and is not a folder\n");
  }

  @Test
  void install_outsideThePackagedJar_saysWhereToRunItFrom() {
    assertThat(run("install", "--dir", temp.toString())).isEqualTo(69);
    assertThat(err()).contains("install runs from the packaged jar");
  }

  @Test
  void install_withABadAgent_isAUsageError() {
    assertThat(run("install", "--agent", "emacs")).isEqualTo(64);
  }

  @Test
  void demo_showsTheDenyAndTheHandOver() {
    assertThat(run("demo")).isZero();
    assertThat(out()).contains("bob    PreToolUse   Write  -> exit 2 (denied)", "parallel session lock held by alice")
        .containsPattern("bob    PreToolUse   Write  -> exit 0 \\(allowed\\)");
  }

  /**
   * alice (this JVM) holds the workspace lease of {@code ws}; bob (process as given), then carol (pid 1, alive), wait
   * in its line. Each its own process: sessions of one process are one owner.
   */
  private LockKey lineUp(Path ws, ProcessRef bob) throws Exception {
    FileLockStore store = FileLockStore.open(temp.resolve("locks")).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), clock);
    LockKey key = LockKey.workspace(WorkspaceHash.of(ws.toRealPath().toString()));
    Option<String> path = Option.some(ws.toRealPath().toString());
    long me = ProcessHandle.current().pid();
    Claimant alice = new Claimant("alice", LocalProcesses.of(me));
    var got = lock.acquire(key, alice, Duration.ofMinutes(5), path);
    assertThat(got.isRight()).as("%s", got).isTrue();
    assertThat(got.get()).isInstanceOf(Acquisition.Acquired.class);
    FairLine line = FairLine.of(lock, store);
    for (Claimant waiter : java.util.List.of(new Claimant("bob", bob),
        new Claimant("carol", LocalProcesses.of(1)))) {
      var turn = line.attempt(java.util.List.of(key), waiter,
          Grantor.lease(lock, key, waiter, Duration.ofMinutes(5), path));
      assertThat(turn.isRight()).as("%s", turn).isTrue();
      assertThat(turn.get()).isInstanceOf(Turn.Waiting.class);
      clock.advance(Duration.ofSeconds(2));
    }
    return key;
  }

  @Test
  void list_withSessionsWaiting_showsTheLineInOrder_notItsRecordsAsLocks() throws Exception {
    Path ws = Files.createDirectory(temp.resolve("ws"));
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    lineUp(ws, LocalProcesses.of(parent));

    assertThat(run("list")).isZero();
    assertThat(out()).doesNotContain("wait-", "line-")
        .contains(ws.toRealPath() + "  held by session alice")
        .contains("waiting for " + ws.toRealPath() + ":\n  1st in line: session bob (pid " + parent
            + "), waiting 4s\n  2nd in line: session carol (pid 1), waiting 2s\n");
    out.reset();
    assertThat(run("list", "--json")).isZero();
    assertThat(out()).contains("alice").doesNotContain("wait-", "line-", "bob", "carol");
  }

  @Test
  void prune_ofADeadWaiter_removesItsPlaceInLine_inWords() throws Exception {
    Path ws = Files.createDirectory(temp.resolve("ws"));
    Process gone = new ProcessBuilder("sleep", "60").start();
    ProcessRef bob = LocalProcesses.of(gone.pid());
    lineUp(ws, bob);
    gone.destroyForcibly().waitFor();

    assertThat(run("prune")).isZero();
    assertThat(out()).isEqualTo("removed the place in line of session bob (pid " + bob.pid() + ", dead)\npruned 1\n");
    out.reset();
    assertThat(run("list")).isZero();
    assertThat(out()).contains("1st in line: session carol").doesNotContain("bob");
  }
}
