package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.testkit.FakeLiveness;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Waiting in line: the loop with a fake time and fake changes, and the watch on a real directory. */
final class LineWaitTest {

  private static final Duration TTL = Duration.ofMinutes(5);
  private static final LockKey KEY = new LockKey("claim-item-7");

  @TempDir
  Path temp;

  private final MutableClock clock = MutableClock.at("2026-12-06T13:00:00Z");
  private final FakeLiveness liveness = new FakeLiveness();
  private ParallelSessionLock lock;
  private FairLine line;

  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "ns", pid)));
  }

  private static final Claimant ALICE = new Claimant("alice", process(100));
  private static final Claimant BOB = new Claimant("bob", process(200));

  @BeforeEach
  void setUp() {
    FileLockStore store = FileLockStore.open(temp).get();
    lock = ParallelSessionLock.of(store, liveness, clock);
    line = FairLine.of(lock, store);
  }

  private Grantor<Acquisition> grantor(Claimant who) {
    return Grantor.lease(lock, KEY, who, TTL, Option.none());
  }

  /** Time moves only by the waits; each wait runs {@code onWait} first (what changed meanwhile). */
  private static final class FakeChanges implements LineWait.Changes {
    long now;
    int waits;
    Runnable onWait = () -> {};

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void await(long maxNanos) {
      waits++;
      onWait.run();
      now += Math.min(maxNanos, TimeUnit.MILLISECONDS.toNanos(100)); // a safety net of 100 ms
    }

    @Override
    public void close() {}
  }

  @Test
  void await_whenTheHolderReleasesWhileItWaits_isGranted() {
    lock.acquire(KEY, ALICE, TTL, Option.none());
    FakeChanges changes = new FakeChanges();
    changes.onWait = () -> lock.release(KEY, ALICE);

    Turn<Acquisition> turn = LineWait.await(line, List.of(KEY), BOB, grantor(BOB), TimeUnit.SECONDS.toNanos(20),
        changes).get();

    assertThat(turn).isInstanceOf(Turn.Granted.class);
    assertThat(changes.waits).isEqualTo(1);
    assertThat(line.line(KEY).get()).as("the granted waiter left the line").isEmpty();
  }

  @Test
  void await_whenTheBudgetIsSpent_endsWaitingAndKeepsThePlace() {
    lock.acquire(KEY, ALICE, TTL, Option.none());
    FakeChanges changes = new FakeChanges();

    Turn<Acquisition> turn = LineWait.await(line, List.of(KEY), BOB, grantor(BOB), TimeUnit.MILLISECONDS.toNanos(500),
        changes).get();

    assertThat(turn).isInstanceOf(Turn.Waiting.class);
    assertThat(((Turn.Waiting<Acquisition>) turn).placeInLine()).isEqualTo("1st in line");
    assertThat(changes.waits).as("a try after each of the safety net's waits").isEqualTo(5);
    assertThat(line.line(KEY).get()).hasSize(1);
  }

  @Test
  void await_whenTheHolderDiesWhileItWaits_isGrantedByTheSafetyNet() {
    lock.acquire(KEY, ALICE, TTL, Option.none());
    FakeChanges changes = new FakeChanges();
    changes.onWait = () -> liveness.kill(100);

    Turn<Acquisition> turn = LineWait.await(line, List.of(KEY), BOB, grantor(BOB), TimeUnit.SECONDS.toNanos(20),
        changes).get();

    assertThat(turn).isInstanceOf(Turn.Granted.class);
  }

  @Test
  void await_whenTheWaitersOwnAgentIsKilled_stopsAtItsNextWake_andLeavesTheLine() {
    lock.acquire(KEY, ALICE, TTL, Option.none());
    FakeChanges changes = new FakeChanges();
    changes.onWait = () -> liveness.kill(200);

    Turn<Acquisition> turn = LineWait.await(line, List.of(KEY), BOB, grantor(BOB), TimeUnit.SECONDS.toNanos(20),
        changes).get();

    assertThat(turn).isInstanceOf(Turn.Waiting.class);
    assertThat(changes.waits).as("not the 200 safety-net waits of its budget").isEqualTo(1);
    assertThat(line.line(KEY).get()).as("its ticket is gone").isEmpty();
  }

  @Test
  void await_withNoBudget_triesOnce() {
    lock.acquire(KEY, ALICE, TTL, Option.none());
    FakeChanges changes = new FakeChanges();

    Turn<Acquisition> turn = LineWait.await(line, List.of(KEY), BOB, grantor(BOB), 0, changes).get();

    assertThat(turn).isInstanceOf(Turn.Waiting.class);
    assertThat(changes.waits).isZero();
  }

  @Test
  void wakes_onALeaseOrATicketLeaving_butNotOnAnotherWaitersRenewal() {
    assertThat(LineWait.wakes("session-lock-abc.json", false)).isTrue();
    assertThat(LineWait.wakes("file-abc.json", true)).isTrue();
    assertThat(LineWait.wakes("wait-file-abc.0000000000000000001.json", true)).isTrue();
    assertThat(LineWait.wakes("wait-file-abc.0000000000000000001.json", false)).isFalse();
    assertThat(LineWait.wakes("line-file-abc.json", false)).isFalse();
    assertThat(LineWait.wakes(".file-abc.json.tmp-123", false)).isFalse();
  }

  @Test
  void ofDirectory_returnsWhenARecordIsWrittenThere() throws Exception {
    Path dir = Files.createDirectory(temp.resolve("watched"));
    try (LineWait.Changes changes = LineWait.ofDirectory(dir)) {
      Thread writer = new Thread(() -> {
        try {
          Thread.sleep(100);
          Files.writeString(dir.resolve("file-abc.json"), "{}");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      writer.start();
      long start = System.nanoTime();

      changes.await(TimeUnit.SECONDS.toNanos(60));

      // A generous bound: the watch answers in milliseconds; without it the wait would last its full minute.
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(30));
      writer.join();
    }
  }

  @Test
  void clock_saysTheTimeOfDayInUtc() {
    assertThat(LineText.clock(java.time.Instant.parse("2026-12-06T09:05:07.900Z"))).isEqualTo("09:05:07 UTC");
  }
}
