package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch --once} and {@code watch --json}, in-process, over a real lock directory, real work items and a real
 * git repository with a merge queue: the frame (sessions alive and dead, holds, a line of waiters in order, claims,
 * the queue) and its two renderings.
 */
final class WatchCommandTest {

  @TempDir
  Path temp;

  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final ProcessRef alive = LocalProcesses.current();
  private Path repo;
  private Path items;
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo")).toRealPath();
    items = Files.createDirectories(repo.resolve("work"));
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_LAUNCHER", "/opt/sl/session-lock");
    env.put("GIT_CONFIG_GLOBAL", "/dev/null");
    git("init", "-q", "-b", "main");
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "first");
    git("branch", "feature");
    for (String name : new String[] {"A.java", "B.java", "C.java"}) {
      Files.writeString(repo.resolve(name), "class X {}\n");
    }
    Files.writeString(items.resolve("WRK-7.md"), "---\nid: WRK-7\nlocked_by: \"\"\nlocked_at: \"\"\n---\nbody\n");
    Files.writeString(items.resolve("WRK-8.md"), "---\nid: WRK-8\nlocked_by: \"\"\nlocked_at: \"\"\n---\nbody\n");
  }

  private void git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Process git = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
    String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor()).as(output).isZero();
  }

  private int run(String session, ProcessRef agent, String... args) {
    Map<String, String> with = new HashMap<>(env);
    if (session != null) {
      with.put("CLAUDE_CODE_SESSION_ID", session);
    }
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Commands(with, repo, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock, () -> agent).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ProcessRef deadProcess() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    ProcessRef dead = LocalProcesses.of(gone.toHandle());
    gone.waitFor();
    return dead;
  }

  /** {@code who} joins the line of {@code file} (held by another) through the fair line itself. */
  private void waitFor(String file, String who, ProcessRef process) throws Exception {
    FileLockStore store = FileLockStore.open(temp.resolve("locks"), false, Duration.ofSeconds(10)).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), clock);
    LockKey key = LockKey.file(WorkspaceHash.of(repo.toString()), repo.resolve(file).toString());
    Claimant claimant = new Claimant(who, process, false).withAgent(Option.some("codex"));
    Turn<?> turn = FairLine.of(lock, store).attempt(List.of(key), claimant,
        Grantor.lease(lock, key, claimant, Duration.ofMinutes(5), Option.some(repo.resolve(file).toString()))).get();
    assertThat(turn).isInstanceOf(Turn.Waiting.class);
  }

  /**
   * Alice (alive) holds A.java and claims WRK-7; bob (dead) holds B.java; task T1 holds C.java; carol, dave, erin and
   * frank wait for A.java in that order, and dave's process dies while he waits.
   */
  private void busyWorkspace() throws Exception {
    assertThat(run("alice", alive, "files", "acquire", "--agent", "claude", "A.java")).isZero();
    assertThat(run("bob", deadProcess(), "files", "acquire", "--agent", "codex", "B.java")).isZero();
    assertThat(run(null, alive, "files", "acquire", "--task", "T1", "C.java")).isZero();
    assertThat(run("alice", alive, "claim", "WRK-7", "--items", items.toString())).isZero();
    assertThat(run(null, alive, "queue", "enqueue", "feature")).isZero();
    clock.advance(Duration.ofSeconds(10));
    waitFor("A.java", "carol", alive);
    clock.advance(Duration.ofSeconds(1));
    Process daveAgent = new ProcessBuilder("sleep", "600").start();
    try {
      waitFor("A.java", "dave", LocalProcesses.of(daveAgent.toHandle()));
      clock.advance(Duration.ofSeconds(1));
      waitFor("A.java", "erin", alive);
      clock.advance(Duration.ofSeconds(1));
      waitFor("A.java", "frank", alive);
    } finally {
      daveAgent.destroyForcibly().waitFor(); // dave dies in line: his ticket stays until the next attempt skips it
    }
    clock.advance(Duration.ofSeconds(7));
  }

  @Test
  void watchOnce_busyWorkspace_printsEveryHolderTheLineInOrderClaimsAndQueue() throws Exception {
    busyWorkspace();

    assertThat(run(null, alive, "watch", "--once", "--items", items.toString())).isZero();

    long pid = alive.pid();
    assertThat(out()).isEqualTo(String.join("\n",
        "workspace  " + repo,
        "sessions",
        "  alice (claude, pid " + pid + ")  alive",
        "    file A.java  for 20s, 4m40s left",
        "    item WRK-7  for 20s, 1h59m left",
        "  bob (codex, pid " + deadPid(out()) + ")  DEAD",
        "    file B.java  for 20s, 4m40s left, may be taken over",
        "  carol (codex, pid " + pid + ")  alive",
        "    holds nothing",
        "  dave (codex, pid " + deadPid2(out()) + ")  DEAD",
        "    holds nothing",
        "  erin (codex, pid " + pid + ")  alive",
        "    holds nothing",
        "  frank (codex, pid " + pid + ")  alive",
        "    holds nothing",
        "  task:T1 (pid " + pid + ")  alive",
        "    file C.java  for 20s, 4m40s left",
        "lines",
        "  file A.java  held by alice",
        "    1. carol (codex, pid " + pid + ")  waiting 10s",
        "    -  dave (codex, pid " + deadPid2(out()) + ")  gone: skipped",
        "    2. erin (codex, pid " + pid + ")  waiting 8s",
        "    3. frank (codex, pid " + pid + ")  waiting 7s",
        "claims  (work items under " + items + ")",
        "  WRK-7  claimed by alice (pid " + pid + ", alive) for 20s",
        "merge queue",
        "  processor: none running",
        "  #1  queued  feature -> main",
        ""));
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void watchOnce_aSessionThatWaitedForAClaimedItem_isShownInTheItemsLine() throws Exception {
    assertThat(run("alice", alive, "claim", "WRK-7", "--items", items.toString())).isZero();
    clock.advance(Duration.ofSeconds(5));
    assertThat(run("bob", alive, "claim", "WRK-7", "--items", items.toString(), "--wait", "1")).isEqualTo(4);
    clock.advance(Duration.ofSeconds(3));

    assertThat(run(null, alive, "watch", "--once", "--items", items.toString())).isZero();

    String frame = out();
    String lines = frame.substring(frame.indexOf("\nlines\n"), frame.indexOf("\nclaims "));
    assertThat(lines).as(frame).contains("WRK-7", "held by alice", "1. bob (pid " + alive.pid() + ")  waiting 3s");
  }

  /** The pid bob's record names (a process that has exited), as printed. */
  private static String deadPid(String text) {
    return pidAfter(text, "  bob (codex, pid ");
  }

  private static String deadPid2(String text) {
    return pidAfter(text, "  dave (codex, pid ");
  }

  private static String pidAfter(String text, String prefix) {
    int start = text.indexOf(prefix) + prefix.length();
    return text.substring(start, text.indexOf(')', start));
  }

  @Test
  void watchJson_busyWorkspace_givesTheSameFrameAsOneObject() throws Exception {
    busyWorkspace();

    assertThat(run(null, alive, "watch", "--json", "--items", items.toString())).isZero();

    JsonObject frame = JsonParser.object().from(out());
    assertThat(frame.getString("workspace")).isEqualTo(repo.toString());
    assertThat(frame.getString("at")).isEqualTo("2026-12-06T10:00:20Z");
    JsonArray sessions = frame.getArray("sessions");
    assertThat(sessions).hasSize(7);
    JsonObject alice = sessions.getObject(0);
    assertThat(alice.getString("id")).isEqualTo("alice");
    assertThat(alice.getString("agent")).isEqualTo("claude");
    assertThat(alice.getLong("pid")).isEqualTo(alive.pid());
    assertThat(alice.getString("liveness")).isEqualTo("alive");
    assertThat(alice.getArray("holds")).hasSize(2);
    JsonObject file = alice.getArray("holds").getObject(0);
    assertThat(file.getString("kind")).isEqualTo("file");
    assertThat(file.getString("what")).isEqualTo("A.java");
    assertThat(file.getString("since")).isEqualTo("2026-12-06T10:00:00Z");
    assertThat(file.getString("until")).isEqualTo("2026-12-06T10:05:00Z");
    assertThat(file.getBoolean("takeable")).isFalse();
    assertThat(sessions.getObject(1).getString("liveness")).isEqualTo("dead");
    assertThat(sessions.getObject(1).getArray("holds").getObject(0).getBoolean("takeable")).isTrue();

    JsonArray lines = frame.getArray("lines");
    assertThat(lines).hasSize(1);
    assertThat(lines.getObject(0).getString("kind")).isEqualTo("file");
    assertThat(lines.getObject(0).getString("what")).isEqualTo("A.java");
    assertThat(lines.getObject(0).getString("holder")).isEqualTo("alice");
    JsonArray waiters = lines.getObject(0).getArray("waiters");
    assertThat(waiters).hasSize(4);
    String[] order = {"carol", "dave", "erin", "frank"};
    int[] places = {1, 0, 2, 3};
    for (int i = 0; i < order.length; i++) {
      assertThat(waiters.getObject(i).getString("session")).isEqualTo(order[i]);
      assertThat(waiters.getObject(i).getInt("place")).isEqualTo(places[i]);
      assertThat(waiters.getObject(i).getBoolean("live")).isEqualTo(places[i] > 0);
    }
    assertThat(waiters.getObject(0).getString("since")).isEqualTo("2026-12-06T10:00:10Z");

    assertThat(frame.getString("items")).isEqualTo(items.toString());
    JsonArray claims = frame.getArray("claims");
    assertThat(claims).hasSize(1);
    assertThat(claims.getObject(0).getString("item")).isEqualTo("WRK-7");
    assertThat(claims.getObject(0).getString("session")).isEqualTo("alice");
    assertThat(claims.getObject(0).getBoolean("stale")).isFalse();

    JsonObject queue = frame.getObject("queue");
    assertThat(queue.has("processor_pid")).isFalse();
    assertThat(queue.getArray("entries").getObject(0).getString("branch")).isEqualTo("feature");
    assertThat(queue.getArray("entries").getObject(0).getString("state")).isEqualTo("queued");
    assertThat(frame.getArray("problems")).isEmpty();
  }

  @Test
  void reader_claimMadeBetweenTwoReads_showsAtTheNextWalkOfTheItems() throws Exception {
    Map<String, String> with = new HashMap<>(env);
    CommandContext context = new CommandContext(with, repo, System.out, System.err, clock, () -> alive);
    WatchReader reader = new WatchReader(context, context.openStore().get(), repo, items,
        dev.parallelsessionlock.markdown.WorkItems.open(temp.resolve("locks"), ProcessTableLiveness.forThisHost(),
            clock, dev.parallelsessionlock.markdown.WorkItems.DEFAULT_STALE_AFTER).get(), Option.none());
    assertThat(reader.read().get().claims()).isEmpty();

    assertThat(run("alice", alive, "claim", "WRK-8", "--items", items.toString())).isZero();
    clock.advance(WatchReader.CLAIMS_EVERY.minusMillis(1));
    assertThat(reader.read().get().claims()).isEmpty();
    clock.advance(Duration.ofMillis(1));

    assertThat(reader.read().get().claims()).extracting(WatchFrame.Claim::item).containsExactly("WRK-8");
  }

  @Test
  void watchOnce_emptyWorkspace_saysSoInEverySection() throws Exception {
    Path plain = Files.createDirectories(temp.resolve("plain"));

    assertThat(run(null, alive, "watch", "--once", "--dir", plain.toString(), "--items", plain.toString())).isZero();

    assertThat(out()).isEqualTo(String.join("\n",
        "workspace  " + plain.toRealPath(),
        "sessions",
        "  none",
        "lines",
        "  nobody waits",
        "claims  (work items under " + plain + ")",
        "  none claimed",
        "merge queue",
        "  no queue in this repository",
        ""));
    assertThat(Files.exists(plain.resolve(".git"))).isFalse();
  }

  @Test
  void watch_withoutATerminal_printsOneFrameAndSaysWhy() throws Exception {
    assertThat(run(null, alive, "watch")).isZero();

    assertThat(out()).startsWith("workspace  " + repo + "\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("session-lock: standard output is not a terminal: "
        + "printed one frame (for scripts: '/opt/sl/session-lock' watch --once, or --json)\n");
  }

  @Test
  void watch_dirThatIsNoDirectory_isAUsageError() {
    assertThat(run(null, alive, "watch", "--once", "--dir", temp.resolve("nope").toString())).isEqualTo(64);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not exist");
  }
}
