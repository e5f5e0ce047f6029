package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files mode keeps uncommitted work ({@link KeptFiles}): the end of a turn keeps the locks on files that still
 * differ from HEAD; a commit, SessionEnd, or no git release them. A real git repository, real processes as agents.
 */
final class KeptFilesTest {

  @TempDir
  Path temp;

  private Path project;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final ProcessRef aliceAgent = LocalProcesses.current();
  private final ProcessRef bobAgent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectories(temp.resolve("project")).toRealPath();
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
    git("init", "-q", "-b", "main");
    Files.writeString(project.resolve("a.txt"), "a\n");
    Files.writeString(project.resolve("b.txt"), "b\n");
    git("add", "a.txt", "b.txt");
    git("commit", "-q", "-m", "start");
  }

  private void git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", project.toString(), "-c", "user.name=t",
        "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(git.exitValue()).as(out).isZero();
  }

  private HookResult run(String payload, ProcessRef agent) {
    return HookRunner.run(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook", "--mode", "files"}, 1), HookConfig.from(env), temp, clock, () -> agent);
  }

  private String edit(String event, String session, String path) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + path + "\"}}";
  }

  private String bash(String event, String session, String command) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"" + command + "\"}}";
  }

  private String end(String event, String session) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\"}";
  }

  /** Alice takes {@code files} and writes {@code changed} of them. */
  private void aliceEdits(List<String> files, List<String> changed) throws IOException {
    for (String file : files) {
      assertThat(run(edit("PreToolUse", "alice", file), aliceAgent).exitCode()).isZero();
    }
    for (String file : changed) {
      Files.writeString(project.resolve(file), "alice's work on " + file + "\n");
    }
    for (String file : files) {
      assertThat(run(edit("PostToolUse", "alice", file), aliceAgent).exitCode()).isZero();
    }
  }

  @Test
  void stop_keepsTheFilesThatDifferFromHead_andReleasesTheOthers() throws IOException {
    aliceEdits(List.of("a.txt", "b.txt", "new.txt"), List.of("a.txt", "new.txt"));

    assertThat(run(end("Stop", "alice"), aliceAgent).exitCode()).isZero();

    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).as("changed: kept").isEqualTo(2);
    assertThat(run(edit("PreToolUse", "bob", "new.txt"), bobAgent).exitCode()).as("untracked: kept").isEqualTo(2);
    assertThat(run(edit("PreToolUse", "bob", "b.txt"), bobAgent).exitCode()).as("unchanged: released").isZero();
  }

  @Test
  void stop_keepsStagedWork_andTheKeepOutlastsTheLeaseWhileTheHolderLives() throws Exception {
    aliceEdits(List.of("a.txt"), List.of("a.txt"));
    git("add", "a.txt");

    run(end("Stop", "alice"), aliceAgent);
    clock.advance(Duration.ofHours(2)); // the user is away; five-minute leases would be stale long ago

    HookResult bob = run(edit("PreToolUse", "bob", "a.txt"), bobAgent);
    assertThat(bob.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", bob.stderr())).contains(project + "/a.txt - session alice");
  }

  @Test
  void aCommitAfterTheStop_releasesTheKeptFile_atThePostToolUseOfTheCommit() throws Exception {
    aliceEdits(List.of("a.txt"), List.of("a.txt"));
    run(end("Stop", "alice"), aliceAgent);
    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isEqualTo(2);

    assertThat(run(bash("PreToolUse", "alice", "git commit -am done"), aliceAgent).exitCode()).isZero();
    git("commit", "-q", "-am", "done");
    assertThat(run(bash("PostToolUse", "alice", "git commit -am done"), aliceAgent).exitCode()).isZero();

    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isZero();
  }

  @Test
  void aShellCommandWithoutGit_releasesNothing_andACommitOfOneFileReleasesOnlyThatOne() throws Exception {
    aliceEdits(List.of("a.txt", "b.txt"), List.of("a.txt", "b.txt"));
    assertThat(run(bash("PostToolUse", "alice", "make test"), aliceAgent).exitCode()).isZero();
    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isEqualTo(2);

    git("commit", "-q", "-m", "a only", "--", "a.txt");
    run(bash("PostToolUse", "alice", "git commit -m 'a only' -- a.txt"), aliceAgent);

    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isZero();
    assertThat(run(edit("PreToolUse", "bob", "b.txt"), bobAgent).exitCode()).isEqualTo(2);
  }

  @Test
  void sessionEnd_releasesEverything_changedOrNot() throws IOException {
    aliceEdits(List.of("a.txt", "b.txt"), List.of("a.txt"));

    assertThat(run(end("SessionEnd", "alice"), aliceAgent).exitCode()).isZero();

    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isZero();
    assertThat(run(edit("PreToolUse", "bob", "b.txt"), bobAgent).exitCode()).isZero();
  }

  @Test
  void aKeptFileOfADeadSession_isTakenOverAtOnce() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    ProcessRef deadAgent = LocalProcesses.of(gone.toHandle());
    assertThat(run(edit("PreToolUse", "alice", "a.txt"), deadAgent).exitCode()).isZero();
    Files.writeString(project.resolve("a.txt"), "alice's work\n");
    run(end("Stop", "alice"), deadAgent);
    gone.waitFor();

    assertThat(run(edit("PreToolUse", "bob", "a.txt"), bobAgent).exitCode()).isZero();
  }

  @Test
  void stop_outsideAnyGitWorkTree_releasesAsTheSeedDoes() throws Exception {
    Path plain = Files.createDirectories(temp.resolve("plain")).toRealPath();
    assertThat(run(edit("PreToolUse", "alice", plain + "/notes.txt"), aliceAgent).exitCode()).isZero();
    Files.writeString(plain.resolve("notes.txt"), "alice's notes\n");

    run(end("Stop", "alice"), aliceAgent);

    assertThat(run(edit("PreToolUse", "bob", plain + "/notes.txt"), bobAgent).exitCode()).isZero();
  }

  /** A store that counts its reads of single keys. */
  private static final class CountingStore implements dev.parallelsessionlock.core.LockStore {
    final dev.parallelsessionlock.core.InMemoryLockStore inner = new dev.parallelsessionlock.core.InMemoryLockStore();
    int reads;

    @Override
    public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure,
        io.vavr.control.Option<dev.parallelsessionlock.core.Slot>> read(dev.parallelsessionlock.core.LockKey key) {
      reads++;
      return inner.read(key);
    }

    @Override
    public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure, dev.parallelsessionlock.core.WriteOutcome>
        create(dev.parallelsessionlock.core.LockKey key, dev.parallelsessionlock.core.LockRecord record) {
      return inner.create(key, record);
    }

    @Override
    public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure, dev.parallelsessionlock.core.WriteOutcome>
        replace(dev.parallelsessionlock.core.Slot expected, dev.parallelsessionlock.core.LockRecord next) {
      return inner.replace(expected, next);
    }

    @Override
    public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure, dev.parallelsessionlock.core.WriteOutcome>
        delete(dev.parallelsessionlock.core.Slot expected) {
      return inner.delete(expected);
    }

    @Override
    public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure,
        io.vavr.collection.List<dev.parallelsessionlock.core.Slot>> list() {
      return inner.list();
    }
  }

  @Test
  void atTurnEnd_readsEachOfTheSessionsRecordsOnce_keepingTheChangedAndReleasingTheRest() throws Exception {
    CountingStore store = new CountingStore();
    dev.parallelsessionlock.core.FileLocks files = dev.parallelsessionlock.core.FileLocks.of(
        dev.parallelsessionlock.core.ParallelSessionLock.of(store, new dev.parallelsessionlock.testkit.FakeLiveness(),
            clock), store, new dev.parallelsessionlock.core.InMemoryHolderIndex());
    dev.parallelsessionlock.core.Claimant alice = new dev.parallelsessionlock.core.Claimant("alice", aliceAgent);
    List<String> paths = List.of(project.resolve("a.txt").toString(), project.resolve("b.txt").toString(),
        project.resolve("c.txt").toString());
    List<dev.parallelsessionlock.core.FileLocks.LockedFile> locked = new java.util.ArrayList<>();
    for (String path : paths) {
      locked.add(Workspaces.lockedFile(Path.of(path)));
    }
    assertThat(files.acquire(locked, alice, Duration.ofMinutes(5)).isRight()).isTrue();
    Files.writeString(project.resolve("a.txt"), "alice's work\n");
    store.reads = 0;

    KeptFiles.Outcome outcome = KeptFiles.atTurnEnd(files, alice, Duration.ofHours(8), 10_000).get();

    assertThat(outcome.kept).containsExactly(paths.get(0));
    assertThat(outcome.released).isEqualTo(2);
    assertThat(store.reads).as("one read of each record the session holds").isEqualTo(3);
    dev.parallelsessionlock.core.LockRecord kept = ((dev.parallelsessionlock.core.Slot.Held) store.inner
        .read(locked.get(0).key()).get().get()).record();
    assertThat(kept.ttl()).isEqualTo(Duration.ofHours(8));
    assertThat(store.inner.read(locked.get(1).key()).get()).isEmpty();
  }
}
