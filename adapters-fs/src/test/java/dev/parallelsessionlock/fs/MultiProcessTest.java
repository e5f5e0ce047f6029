package dev.parallelsessionlock.fs;

import static dev.parallelsessionlock.testkit.Contender.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import io.vavr.control.Option;
import dev.parallelsessionlock.testkit.Contender;
import dev.parallelsessionlock.testkit.ContenderLog;
import dev.parallelsessionlock.testkit.ContenderStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real JVMs (the testkit's {@link Contender}) contending through the real filesystem, and holders killed with SIGKILL. */
final class MultiProcessTest {

  @TempDir
  Path temp;

  private static final String FIVE_MINUTES = "300000";

  /** Plain, and with fsync of every write (fewer rounds: each write waits for the disk). */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void eightJvms_hammeringOneKey_neverHoldItAtTheSameTime_andAReaderNeverSeesATornRecord(boolean durable)
      throws Exception {
    int jvms = 8;
    int rounds = durable ? 60 : 300;
    Class<? extends ContenderStore> kind = durable ? FileStoreContender.Durable.class : FileStoreContender.class;
    Path log = temp.resolve("log");
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(Contender.start(kind, temp.toString(), "contend", String.valueOf(id), String.valueOf(rounds),
          log.toString()));
    }
    // A reader racing the writers: records change only by atomic rename, so it must never read a torn one.
    FileLockStore readerStore = FileLockStore.open(temp).get();
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> torn = new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted() && torn.get() == null) {
        Option<Slot> slot = readerStore.read(KEY).get();
        reads.incrementAndGet();
        if (slot.isDefined() && slot.get() instanceof Slot.Unreadable unreadable) {
          torn.set(unreadable.problem());
        } else if (slot.isDefined()) {
          held.incrementAndGet();
        }
      }
    });
    reader.start();
    for (Process contender : contenders) {
      assertThat(contender.waitFor(3, TimeUnit.MINUTES)).as("contender finished").isTrue();
      assertThat(contender.exitValue()).isZero();
    }
    reader.interrupt();
    reader.join();
    assertThat(torn.get()).as("a reader saw a torn record").isNull();
    assertThat(held.get()).as("the reader saw records at all (%d reads)", reads.get()).isPositive();

    ContenderLog.assertNoOverlap(log, jvms, rounds);
    assertThat(FileLockStore.open(temp).get().read(KEY).get()).isEmpty();
  }

  /**
   * Eight JVMs with real liveness race, round after round, to take over one lease that is stale (even rounds) or
   * whose holder process is dead (odd rounds): exactly one wins each round.
   */
  @Test
  void eightJvms_racingToTakeOverAStaleOrDeadLease_haveExactlyOneWinnerEachRound() throws Exception {
    int jvms = 8;
    int rounds = 40;
    Path log = temp.resolve("takeovers");
    String go = temp.resolve("go").toString();
    FileLockStore store = FileLockStore.open(temp).get();
    Process exited = new ProcessBuilder("true").start();
    ProcessRef dead = LocalProcesses.of(exited.toHandle());
    exited.waitFor();
    List<Process> takers = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      takers.add(Contender.start(FileStoreContender.class, temp.toString(), "race", String.valueOf(id),
          String.valueOf(rounds), log.toString(), go));
    }
    java.time.Instant now = java.time.Instant.now();
    for (int round = 0; round < rounds; round++) {
      LockRecord victim = round % 2 == 0
          ? new LockRecord(1, "stale-" + round, LocalProcesses.current(), now.minusSeconds(3600),
              java.time.Duration.ofMinutes(5), now.minusSeconds(3600))
          : new LockRecord(1, "dead-" + round, dead, now, java.time.Duration.ofHours(1), now);
      Option<Slot> current = store.read(KEY).get();
      if (current.isEmpty()) {
        assertThat(store.create(KEY, victim).get()).isEqualTo(dev.parallelsessionlock.core.WriteOutcome.WRITTEN);
      } else {
        assertThat(store.replace(current.get(), victim).get()).isEqualTo(dev.parallelsessionlock.core.WriteOutcome.WRITTEN);
      }
      Contender.go(go, round);
      List<String> lines = ContenderLog.awaitRound(log, round, jvms, java.time.Duration.ofMinutes(2));
      String expected = round % 2 == 0 ? "TOOK_OVER_STALE" : "TOOK_OVER_DEAD_HOLDER";
      assertThat(ContenderLog.winner(lines)).as("the winner of round %d", round).endsWith(expected);
    }
    Contender.go(go, -1);
    for (Process taker : takers) {
      assertThat(taker.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(taker.exitValue()).isZero();
    }
  }

  /** A process stuck holding one guard delays only the keys of that stripe, and only until the guard timeout. */
  @Test
  void aProcessStuckHoldingAGuard_otherKeysProceed_andItsKeyFailsAtTheTimeoutInsteadOfHanging() throws Exception {
    FileLockStore store = FileLockStore.open(temp, false, java.time.Duration.ofMillis(300)).get();
    LockKey stuckKey = KEY;
    LockKey otherKey = null;
    for (int n = 0; otherKey == null; n++) {
      LockKey candidate = new LockKey("session-lock-other" + n);
      if (!store.guardPath(candidate).equals(store.guardPath(stuckKey))) {
        otherKey = candidate;
      }
    }
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant me = new Claimant("me", LocalProcesses.current());
    lock.acquire(stuckKey, me); // so that renewing it and force-releasing it must both write
    Process stuck = Contender.startGuard(store.guardPath(stuckKey));
    try {
      assertThat(Contender.firstLine(stuck)).isEqualTo("LOCKED");
      LockKey other = otherKey;

      var outcomes = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
          () -> List.of(lock.acquire(other, me), lock.acquire(stuckKey, me), lock.forceRelease(stuckKey)));

      assertThat(outcomes.get(0).get()).isInstanceOf(Acquisition.Acquired.class);
      assertThat(outcomes.get(1).getLeft().describe()).contains("timed out after 300 ms waiting for",
          store.guardPath(stuckKey).getFileName().toString());
      assertThat(outcomes.get(2).isLeft()).isTrue();
    } finally {
      stuck.destroyForcibly().waitFor();
    }
    assertThat(dev.parallelsessionlock.store.StripedGuard.inProcessGuards()).as("in-process guards are dropped when unused").isZero();
  }

  @Test
  void holderKilledWithSigkill_isTakenOverAsSoonAsItsDeathIsSeen() throws Exception {
    Process holder = Contender.start(FileStoreContender.class, temp.toString(), "hold", "doomed", FIVE_MINUTES);
    assertThat(Contender.firstLine(holder)).isEqualTo("HELD");
    FileLockStore store = FileLockStore.open(temp).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant next = new Claimant("next", LocalProcesses.current());

    assertThat(lock.acquire(KEY, next).get()).isInstanceOf(Acquisition.Blocked.class);
    holder.destroyForcibly().waitFor();

    Acquisition taken = lock.acquire(KEY, next).get();
    assertThat(taken).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) taken).how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
    assertThat(((Acquisition.Acquired) taken).previous().map(r -> r.sessionId())).contains("doomed");
  }

  @Test
  void writerKilledMidWrite_leavesTheOldOrTheNewRecordNeverATornOne() throws Exception {
    FileLockStore store = FileLockStore.open(temp).get();
    for (int kill = 0; kill < 6; kill++) {
      Process churner = Contender.start(FileStoreContender.class, temp.toString(), "churn", "churner-" + kill);
      assertThat(Contender.firstLine(churner)).isEqualTo("GO");
      Thread.sleep(5 + 13L * kill); // real processes: vary where in its loop the kill lands
      churner.destroyForcibly().waitFor();

      Option<Slot> left = store.read(KEY).get();
      assertThat(left.filter(slot -> slot instanceof Slot.Unreadable)).as("after kill %d", kill).isEmpty();
      ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
      Claimant next = new Claimant("next-" + kill, LocalProcesses.current());
      assertThat(lock.acquire(KEY, next).get()).isInstanceOf(Acquisition.Acquired.class);
      assertThat(lock.release(KEY, next).get()).isNotNull();
    }
    try (var files = Files.list(temp)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".corrupt-"))).isEmpty();
    }
  }

  @Test
  void recordOfAKilledHolder_namesItsRealPidAndStartTime() throws Exception {
    Process holder = Contender.start(FileStoreContender.class, temp.toString(), "hold", "named", FIVE_MINUTES);
    assertThat(Contender.firstLine(holder)).isEqualTo("HELD");
    try {
      Slot.Held held = (Slot.Held) FileLockStore.open(temp).get().read(KEY).get().get();
      ProcessRef recorded = held.record().holder();
      assertThat(recorded.isSameProcessAs(LocalProcesses.of(holder.pid()))).isTrue();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}
