package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import io.vavr.control.Option;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real JVMs contending through the real filesystem, and holders killed with SIGKILL. */
final class MultiProcessTest {

  @TempDir
  Path temp;

  private static Process jvm(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        Contender.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static String firstLine(Process process) throws Exception {
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    return reader.readLine();
  }

  @Test
  void eightJvms_hammeringOneKey_neverHoldItAtTheSameTime_andAReaderNeverSeesATornRecord() throws Exception {
    int jvms = 8;
    int rounds = 300;
    Path log = temp.resolve("log");
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(jvm("contend", temp.toString(), String.valueOf(id), String.valueOf(rounds), log.toString()));
    }
    // A reader racing the writers: records change only by atomic rename, so it must never read a torn one.
    FileLockStore readerStore = FileLockStore.open(temp).get();
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> torn = new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted() && torn.get() == null) {
        Option<Slot> slot = readerStore.read(Contender.KEY).get();
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

    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(2 * jvms * rounds);
    Map<String, Integer> completed = new HashMap<>();
    String inside = null;
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts[0].equals("E")) {
        assertThat(inside).as("nobody inside when %s enters", line).isNull();
        inside = parts[1] + " " + parts[2];
      } else {
        assertThat(parts[1] + " " + parts[2]).as("the one inside leaves").isEqualTo(inside);
        inside = null;
        completed.merge(parts[1], 1, Integer::sum);
      }
    }
    assertThat(completed).hasSize(jvms).allSatisfy((id, count) -> assertThat(count).isEqualTo(rounds));
    assertThat(FileLockStore.open(temp).get().read(Contender.KEY).get()).isEmpty();
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
      takers.add(jvm("takeover", temp.toString(), String.valueOf(id), String.valueOf(rounds), log.toString(), go));
    }
    java.time.Instant now = java.time.Instant.now();
    for (int round = 0; round < rounds; round++) {
      LockRecord victim = round % 2 == 0
          ? new LockRecord(1, "stale-" + round, LocalProcesses.current(), now.minusSeconds(3600),
              java.time.Duration.ofMinutes(5), now.minusSeconds(3600))
          : new LockRecord(1, "dead-" + round, dead, now, java.time.Duration.ofHours(1), now);
      Option<Slot> current = store.read(Contender.KEY).get();
      if (current.isEmpty()) {
        assertThat(store.create(Contender.KEY, victim).get()).isEqualTo(dev.parallelsessionlock.core.WriteOutcome.WRITTEN);
      } else {
        assertThat(store.replace(current.get(), victim).get()).isEqualTo(dev.parallelsessionlock.core.WriteOutcome.WRITTEN);
      }
      Files.createFile(Path.of(go + "-" + round));
      String prefix = "R " + round + " ";
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      List<String> lines;
      do {
        Thread.sleep(2);
        lines = Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList() : List.of();
      } while (lines.size() < jvms && System.nanoTime() < deadline);
      assertThat(lines).as("round %d answered by every JVM", round).hasSize(jvms);
      String expected = round % 2 == 0 ? "TOOK_OVER_STALE" : "TOOK_OVER_DEAD_HOLDER";
      assertThat(lines.stream().filter(l -> l.contains(" WON "))).as("winners of round %d", round)
          .singleElement().asString().endsWith(expected);
    }
    Files.createFile(Path.of(go + "-end"));
    for (Process taker : takers) {
      assertThat(taker.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(taker.exitValue()).isZero();
    }
  }

  /** A process stuck holding one guard delays only the keys of that stripe, and only until the guard timeout. */
  @Test
  void aProcessStuckHoldingAGuard_otherKeysProceed_andItsKeyFailsAtTheTimeoutInsteadOfHanging() throws Exception {
    FileLockStore store = FileLockStore.open(temp, false, java.time.Duration.ofMillis(300)).get();
    LockKey stuckKey = Contender.KEY;
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
    Process stuck = jvm("guard", store.guardPath(stuckKey).toString());
    try {
      assertThat(firstLine(stuck)).isEqualTo("LOCKED");
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
    Process holder = jvm("hold", temp.toString(), "doomed");
    assertThat(firstLine(holder)).isEqualTo("HELD");
    FileLockStore store = FileLockStore.open(temp).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant next = new Claimant("next", LocalProcesses.current());

    assertThat(lock.acquire(Contender.KEY, next).get()).isInstanceOf(Acquisition.Blocked.class);
    holder.destroyForcibly().waitFor();

    Acquisition taken = lock.acquire(Contender.KEY, next).get();
    assertThat(taken).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) taken).how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
    assertThat(((Acquisition.Acquired) taken).previous().map(r -> r.sessionId())).contains("doomed");
  }

  @Test
  void writerKilledMidWrite_leavesTheOldOrTheNewRecordNeverATornOne() throws Exception {
    FileLockStore store = FileLockStore.open(temp).get();
    for (int kill = 0; kill < 6; kill++) {
      Process churner = jvm("churn", temp.toString(), "churner-" + kill);
      assertThat(firstLine(churner)).isEqualTo("GO");
      Thread.sleep(5 + 13L * kill); // real processes: vary where in its loop the kill lands
      churner.destroyForcibly().waitFor();

      Option<Slot> left = store.read(Contender.KEY).get();
      assertThat(left.filter(slot -> slot instanceof Slot.Unreadable)).as("after kill %d", kill).isEmpty();
      ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
      Claimant next = new Claimant("next-" + kill, LocalProcesses.current());
      assertThat(lock.acquire(Contender.KEY, next).get()).isInstanceOf(Acquisition.Acquired.class);
      assertThat(lock.release(Contender.KEY, next).get()).isNotNull();
    }
    try (var files = Files.list(temp)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".corrupt-"))).isEmpty();
    }
  }

  @Test
  void recordOfAKilledHolder_namesItsRealPidAndStartTime() throws Exception {
    Process holder = jvm("hold", temp.toString(), "named");
    assertThat(firstLine(holder)).isEqualTo("HELD");
    try {
      Slot.Held held = (Slot.Held) FileLockStore.open(temp).get().read(Contender.KEY).get().get();
      ProcessRef recorded = held.record().holder();
      assertThat(recorded.isSameProcessAs(LocalProcesses.of(holder.pid()))).isTrue();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}
