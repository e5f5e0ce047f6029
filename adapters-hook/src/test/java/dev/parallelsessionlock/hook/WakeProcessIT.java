package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The waker as Claude Code runs it: the command install registers beside the Stop release ({@code hook --wake}),
 * through {@code sh -c} and the built launcher, run by a stand-in agent process, against the lock directory. The
 * waiter's ticket is written the way a PreToolUse that waits in line leaves it ({@link FairLine#attempt} for that
 * agent process and session).
 */
final class WakeProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final FakeAgents fakeAgents = new FakeAgents();
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  record Result(int exit, String stdout, String stderr, long millis) {}

  /** One agent CLI stand-in ({@link FakeAgents}): it runs commands through {@code sh -c}, one at a time, timed. */
  final class Stand {
    final Process process;
    final long pid;
    private final FakeAgents.Agent agent;
    private long sentAt;

    Stand() throws IOException {
      this(Map.of());
    }

    Stand(Map<String, String> extraEnv) throws IOException {
      Map<String, String> env = new java.util.HashMap<>(extraEnv);
      env.putIfAbsent("SESSION_LOCK_WAIT_MS", "300"); // a short wait in line, then the deny
      agent = fakeAgents.start(locks, env);
      process = agent.process;
      pid = agent.pid;
    }

    void send(String command, String payload) {
      sentAt = System.nanoTime();
      agent.send(command, payload);
    }

    /** Whether the command {@link #send} started has answered. */
    boolean answered() throws IOException {
      return agent.answered();
    }

    Result receive() throws IOException {
      FakeAgents.Result answer = agent.receive();
      return new Result(answer.exit(), answer.stdout(), answer.stderr(), (System.nanoTime() - sentAt) / 1_000_000);
    }

    Result run(String command, String payload) throws IOException {
      send(command, payload);
      return receive();
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectory(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    fakeAgents.killAll();
  }

  private static String registered(String event) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(Agent.CLAUDE)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE, registration, true);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private static String waker() {
    return HookRegistrations.wakeCommand(LAUNCHER.toString(), Agent.CLAUDE, true);
  }

  private String edit(String session, String file) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + file + "\",\"old_string\":\"a\","
        + "\"new_string\":\"b\"}}";
  }

  private String event(String name, String session) {
    return "{\"session_id\":\"" + session + "\",\"transcript_path\":\"/tmp/t.jsonl\",\"cwd\":\"" + project
        + "\",\"hook_event_name\":\"" + name + "\",\"stop_hook_active\":false}";
  }

  /** The key of the one file lock in the lock directory. */
  private LockKey heldFile(FileLockStore store) {
    List<Slot> files = store.slots(LockKey.FILE_PREFIX).get();
    assertThat(files).hasSize(1);
    return files.get(0).key();
  }

  /** The waiter's place in line, as a PreToolUse that waits in line leaves it for that agent's session. */
  private Turn<?> waitInLine(FileLockStore store, LockKey key, String session, Stand agent) {
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant claimant = new Claimant(session, LocalProcesses.system().ref(agent.pid), true)
        .withAgent(Option.some("claude"));
    return FairLine.of(lock, store).attempt(List.of(key), claimant,
        Grantor.lease(lock, key, claimant, Duration.ofMinutes(5), Option.none())).get();
  }

  @Test
  void wake_sessionWaitingForAFile_isWokenWithOneLineWhenItsHolderReleasesIt() throws Exception {
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    Stand holder = new Stand();
    Stand waiter = new Stand();
    assertThat(holder.run(registered("PreToolUse"), edit(alice, "src/App.java")).exit()).isZero();
    assertThat(waiter.run(registered("PreToolUse"), edit(bob, "src/App.java")).exit()).isEqualTo(2);
    FileLockStore store = FileLockStore.open(locks).get();
    LockKey file = heldFile(store);
    assertThat(waitInLine(store, file, bob, waiter)).isInstanceOf(Turn.Waiting.class);

    waiter.send(waker(), event("Stop", bob));
    Thread.sleep(1500); // the waker is watching (nothing to fake: two real processes)
    assertThat(waiter.answered()).as("still waiting while the file is held").isFalse();
    long released = System.nanoTime();
    assertThat(holder.run(registered("SessionEnd"), event("SessionEnd", alice)).exit()).isZero();
    Result woken = waiter.receive();

    assertThat(woken.exit()).isEqualTo(2);
    assertThat(woken.stdout()).isEmpty();
    assertThat(woken.stderr()).hasLineCount(1)
        .startsWith("session-lock: " + project + "/src/App.java (held by session " + alice + " (claude, pid "
            + holder.pid + ") until ")
        .endsWith(" UTC) is free now and it is your turn; retry your edit.\n");
    assertThat((System.nanoTime() - released) / 1_000_000).as("woken soon after the release").isLessThan(3000);
    List<Ticket> line = FairLine.of(ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(),
        Clock.systemUTC()), store).line(file).get();
    assertThat(line).as("the place is kept for the retry").hasSize(1);
    assertThat(waiter.run(registered("PreToolUse"), edit(bob, "src/App.java")).exit()).isZero();
  }

  @Test
  void wake_underCopilotCli_endsAtOnce_evenForASessionThatWaits() throws Exception {
    // Copilot CLI runs Claude Code's registrations too, but no handler in the background: a waker there would hold
    // up the end of its turn for minutes.
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    Stand holder = new Stand();
    Stand waiter = new Stand(Map.of("COPILOT_CLI", "1"));
    assertThat(holder.run(registered("PreToolUse"), edit(alice, "src/App.java")).exit()).isZero();
    Result denied = waiter.run(registered("PreToolUse"), edit(bob, "src/App.java"));
    assertThat(denied.stdout()).as("Copilot's deny: exit 0 and a permission decision").contains("\"deny\"");
    FileLockStore store = FileLockStore.open(locks).get();
    assertThat(waitInLine(store, heldFile(store), bob, waiter)).isInstanceOf(Turn.Waiting.class);

    Result quiet = waiter.run(waker(), event("Stop", bob));

    assertThat(quiet.exit()).isZero();
    assertThat(quiet.stderr()).isEmpty();
    assertThat(quiet.millis()).as("it does not watch").isLessThan(5000);
  }

  @Test
  void wake_sessionWaitingForNothing_endsAtOnceAndSaysNothing() throws Exception {
    Stand agent = new Stand();
    Files.createDirectories(locks);

    Result quiet = agent.run(waker(), event("Stop", "carol-" + run));

    assertThat(quiet.exit()).isZero();
    assertThat(quiet.stdout()).isEmpty();
    assertThat(quiet.stderr()).isEmpty();
    assertThat(quiet.millis()).as("the common case is one read").isLessThan(2000);
  }

  @Test
  void wake_secondWakerOfTheSameSession_endsAtOnce_theFirstKeepsWatching() throws Exception {
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    Stand holder = new Stand();
    Stand waiter = new Stand();
    Stand sameSession = new Stand();
    assertThat(holder.run(registered("PreToolUse"), edit(alice, "src/App.java")).exit()).isZero();
    FileLockStore store = FileLockStore.open(locks).get();
    LockKey file = heldFile(store);
    assertThat(waitInLine(store, file, bob, waiter)).isInstanceOf(Turn.Waiting.class);
    waiter.send(waker(), event("Stop", bob));
    Thread.sleep(1500);

    Result second = sameSession.run(waker(), event("Stop", bob));

    assertThat(second.exit()).isZero();
    assertThat(second.stderr()).isEmpty();
    assertThat(holder.run(registered("SessionEnd"), event("SessionEnd", alice)).exit()).isZero();
    assertThat(waiter.receive().exit()).isEqualTo(2);
  }

  @Test
  void wake_waitersAgentKilled_endsQuietly() throws Exception {
    String alice = "alice-" + run;
    String bob = "bob-" + run;
    Stand holder = new Stand();
    Stand waiter = new Stand();
    Stand watcher = new Stand();
    assertThat(holder.run(registered("PreToolUse"), edit(alice, "src/App.java")).exit()).isZero();
    FileLockStore store = FileLockStore.open(locks).get();
    assertThat(waitInLine(store, heldFile(store), bob, waiter)).isInstanceOf(Turn.Waiting.class);
    watcher.send(waker(), event("Stop", bob)); // run by another process, so it outlives the waiter's agent

    waiter.process.destroyForcibly().waitFor();
    Result ended = watcher.receive();

    assertThat(ended.exit()).isZero();
    assertThat(ended.stderr()).isEmpty();
  }
}
