package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.parallelsessionlock.testkit.ModelHolders.State;
import dev.parallelsessionlock.core.*;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The workspace lease and the file locks as one namespace ({@link WorkspaceLease}, {@link FileLocks}), against a
 * small model. Holders: sessions 0 and 1 (each may take the workspace lease or files), task A (bound to session 0,
 * in its process) and task B (a script of its own). Workspace {@code /ws} with two files.
 *
 * <ul>
 *   <li>One step at a time, random sequences of workspace acquires and releases, file acquires and releases, clock
 *       advances and process deaths: every outcome is the model's (granted, blocked by the lease, blocked by the
 *       files, naming exactly them), the store holds exactly the model's records, and never a live fresh workspace
 *       lease beside a live fresh file lock of one of its rivals.</li>
 *   <li>Racing: from a random state, two or three acquires of either granularity run in threads whose every store
 *       call is scheduled by a generated interleaving. Never two rivals of different granularities both win; a
 *       loser leaves every record as it found it (a renewal of what it held fresh aside); a renewal of a lease held
 *       fresh never loses to the other granularity; and the end state keeps the namespace invariant.</li>
 * </ul>
 *
 * <p>Every store's tests extend this class with {@link #newStore()}; the testkit's own run is over the in-memory store.
 */
public abstract class MixedModesProperties {

  /** Not on a millisecond: stores keep milliseconds, and a check that compares what it wrote must not mind. */
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.000123456Z");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final String WS_PATH = "/ws";
  private static final WorkspaceHash WS = WorkspaceHash.of(WS_PATH);
  private static final LockKey LEASE = LockKey.workspace(WS);
  private static final List<String> FILES = List.of("/ws/a.txt", "/ws/b.txt");
  private static final int HOLDERS = 4; // session 0, session 1, task A (bound to session 0), task B

  sealed interface Op {
    record Workspace(int session) implements Op {}

    record WorkspaceRelease(int session) implements Op {}

    record Files(int holder, List<Integer> files) implements Op {}

    record FilesReleaseAll(int holder) implements Op {}

    record Advance(int millis) implements Op {}

    /** The holder's process dies; the holder goes on in a new process. */
    record Kill(int holder) implements Op {}
  }

  private static final Gen<Integer> SESSION = integers().between(0, 1);
  private static final Gen<Integer> HOLDER = integers().between(0, HOLDERS - 1);
  private static final Gen<List<Integer>> SOME_FILES = lists().of(integers().between(0, FILES.size() - 1))
      .ofSizeBetween(1, 2);

  private static final Gen<Op> OPS = Generate.frequency(java.util.List.of(
      Pair.of(6, SESSION.map(s -> (Op) new Op.Workspace(s))),
      Pair.of(2, SESSION.map(s -> (Op) new Op.WorkspaceRelease(s))),
      Pair.of(6, HOLDER.zip(SOME_FILES, (h, f) -> (Op) new Op.Files(h, f))),
      Pair.of(2, HOLDER.map(h -> (Op) new Op.FilesReleaseAll(h))),
      Pair.of(3, integers().between(0, 400_000).map(ms -> (Op) new Op.Advance(ms))),
      Pair.of(1, HOLDER.map(h -> (Op) new Op.Kill(h)))));

  /** Only acquires race. */
  private static final Gen<Op> RACERS = Generate.frequency(java.util.List.of(
      Pair.of(1, SESSION.map(s -> (Op) new Op.Workspace(s))),
      Pair.of(1, HOLDER.zip(SOME_FILES, (h, f) -> (Op) new Op.Files(h, f)))));

  /** A new, empty store for one run. */
  protected abstract LockStore newStore();

  /** Runs per property; a store that writes to disk may ask for fewer. */
  protected int examples() {
    return 400;
  }

  @Test
  public void workspaceLeaseAndFileLocks_agreeWithTheModel_asOneNamespace() {
    qt().withExamples(examples()).forAll(lists().of(OPS).ofSizeBetween(1, 50)).checkAssert(ops -> {
      Run run = new Run(newStore());
      for (Op op : ops) {
        run.step(op);
        run.check(op);
      }
    });
  }

  @Test
  public void racingAcquiresOfBothGranularities_neverLetTwoRivalsWin_atAnyInterleaving() {
    AtomicInteger interleaved = new AtomicInteger();
    AtomicInteger bothBackedOff = new AtomicInteger();
    qt().withExamples(examples())
        .forAll(lists().of(OPS).ofSizeBetween(0, 12), lists().of(RACERS).ofSizeBetween(2, 3),
            lists().of(integers().between(0, 5)).ofSizeBetween(1, 40))
        .checkAssert((setup, racers, schedule) -> {
          Run run = new Run(newStore());
          for (Op op : setup) {
            run.step(op);
          }
          Race race = run.race(racers, schedule);
          interleaved.addAndGet(race.switches);
          bothBackedOff.addAndGet(race.nobodyWon ? 1 : 0);
        });
    // The schedules must really have interleaved the racers' store calls, or this tested nothing about races.
    assertThat(interleaved.get()).isPositive();
    System.out.printf("mixed-mode races: %d switches between racers; %d races where rivals both backed off%n",
        interleaved.get(), bothBackedOff.get());
  }

  /** The model's view of one record; the lease end to the millisecond, as stores keep it. */
  record Rec(String holder, long pid, long expires) {
    Rec(String holder, long pid, Instant expires) {
      this(holder, pid, expires.toEpochMilli());
    }
  }

  private static final class Run {
    final MutableClock clock = new MutableClock(T0);
    final FakeLiveness liveness = new FakeLiveness();
    final LockStore backing;
    final SteppedStore store;
    final InMemoryHolderIndex index = new InMemoryHolderIndex();
    final ParallelSessionLock lock;
    final FileLocks files;
    final WorkspaceLease lease;
    final ModelHolders holders = new ModelHolders(liveness);
    Rec leaseRec;
    final Map<Integer, Rec> fileRecs = new HashMap<>();

    Run(LockStore backing) {
      this.backing = backing;
      this.store = new SteppedStore(backing);
      this.lock = ParallelSessionLock.of(store, liveness, clock).withTtl(TTL);
      this.files = FileLocks.of(lock, store, index).withWriter(ModelHolders.process(9001));
      this.lease = WorkspaceLease.of(files);
    }


    String id(int holder) {
      return holders.id(holder);
    }

    long pid(int holder) {
      return holders.pid(holder);
    }

    Claimant claimant(int holder) {
      return holders.claimant(holder);
    }

    List<FileLocks.LockedFile> locked(List<Integer> indexes) {
      List<FileLocks.LockedFile> locked = new ArrayList<>();
      for (int i : indexes) {
        locked.add(new FileLocks.LockedFile(WS, FILES.get(i)));
      }
      return locked;
    }

    LockKey fileKey(int file) {
      return LockKey.file(WS, FILES.get(file));
    }

    // The model's rules, from the README: the same session (its process, or a dead one) owns; a session may use
    // its bound task's lock; a task may adopt its session's; a stale or dead foreign holder is taken over.
    State state(int holder, Rec rec) {
      if (rec == null) {
        return State.FREE;
      }
      return holders.state(holder, rec.holder, rec.pid, clock.instant().toEpochMilli() >= rec.expires);
    }

    /** The lock was the holder's before in a way every rival respected: fresh, its process not dead. */
    boolean heldFresh(Rec rec, int holder) {
      return rec != null && holders.heldFresh(holder, rec.pid, clock.instant().toEpochMilli() >= rec.expires);
    }

    boolean live(Rec rec) {
      return rec != null && clock.instant().toEpochMilli() < rec.expires && !liveness.isDead(rec.pid);
    }

    /** Whether two holder ids are rivals: not the same holder, nor session 0 and its task A. */
    static boolean rivals(String a, String b) {
      return !a.equals(b) && !((a.equals("session-0") && b.equals("task:A")) || (a.equals("task:A") && b.equals("session-0")));
    }

    void step(Op op) {
      Instant now = clock.instant();
      if (op instanceof Op.Advance advance) {
        clock.advance(Duration.ofMillis(advance.millis()));
      } else if (op instanceof Op.Kill kill) {
        holders.kill(kill.holder());
      } else if (op instanceof Op.Workspace w) {
        int s = w.session();
        State st = state(s, leaseRec);
        Either<LockFailure, WorkspaceAcquisition> result =
            lease.acquire(WS, claimant(s), TTL, Option.some(WS_PATH));
        assertThat(result.isRight()).as("%s", result).isTrue();
        if (st == State.BLOCK) {
          assertThat(result.get()).as("%s", op).isInstanceOf(WorkspaceAcquisition.Blocked.class);
          return;
        }
        List<LockKey> rivalFiles = new ArrayList<>();
        if (!(st == State.OWN && heldFresh(leaseRec, s))) {
          for (int f = 0; f < FILES.size(); f++) {
            if (state(s, fileRecs.get(f)) == State.BLOCK) {
              rivalFiles.add(fileKey(f));
            }
          }
        }
        if (rivalFiles.isEmpty()) {
          assertThat(result.get()).as("%s", op).isInstanceOf(WorkspaceAcquisition.Acquired.class);
          leaseRec = new Rec(id(s), pid(s), now.plus(TTL));
        } else {
          assertThat(result.get()).as("%s", op).isInstanceOf(WorkspaceAcquisition.FilesHeld.class);
          List<LockKey> named = new ArrayList<>();
          for (LockStatus.Held held : ((WorkspaceAcquisition.FilesHeld) result.get()).files()) {
            named.add(held.key());
          }
          assertThat(named).as("%s", op).containsExactlyInAnyOrderElementsOf(rivalFiles);
          if (st != State.OWN) {
            leaseRec = null; // what it took is free again; its own lease is as it was
          }
        }
      } else if (op instanceof Op.WorkspaceRelease r) {
        boolean mine = state(r.session(), leaseRec) == State.OWN;
        assertThat(lock.release(LEASE, claimant(r.session())).isRight()).isTrue();
        if (mine) {
          leaseRec = null;
        }
      } else if (op instanceof Op.Files acquire) {
        int h = acquire.holder();
        Map<Integer, State> states = new HashMap<>();
        for (int f : new TreeSet<>(acquire.files())) {
          states.put(f, state(h, fileRecs.get(f)));
        }
        List<LockKey> expectedBlockers = new ArrayList<>();
        states.forEach((f, st) -> {
          if (st == State.BLOCK) {
            expectedBlockers.add(fileKey(f));
          }
        });
        if (expectedBlockers.isEmpty()) {
          boolean allHeldFresh = true;
          for (Map.Entry<Integer, State> e : states.entrySet()) {
            allHeldFresh &= e.getValue() != State.FREE && e.getValue() != State.TAKE && heldFresh(fileRecs.get(e.getKey()), h);
          }
          if (!allHeldFresh && state(h, leaseRec) == State.BLOCK) {
            expectedBlockers.add(LEASE);
          }
        }
        boolean blocked = !expectedBlockers.isEmpty();
        Either<LockFailure, FileAcquisition> result = files.acquire(locked(acquire.files()), claimant(h), TTL);
        assertThat(result.isRight()).as("%s", result).isTrue();
        if (blocked) {
          assertThat(result.get()).as("%s", op).isInstanceOf(FileAcquisition.Blocked.class);
          List<LockKey> named = new ArrayList<>();
          for (Acquisition.Blocked b : ((FileAcquisition.Blocked) result.get()).held()) {
            named.add(b.key());
          }
          assertThat(named).as("%s", op).containsExactlyInAnyOrderElementsOf(expectedBlockers);
        } else {
          assertThat(result.get()).as("%s", op).isInstanceOf(FileAcquisition.Acquired.class);
        }
        states.forEach((f, st) -> {
          Rec rec = fileRecs.get(f);
          boolean keep = !blocked || heldFresh(rec, h);
          switch (st) {
            case OWN -> {
              if (keep) {
                fileRecs.put(f, new Rec(id(h), pid(h), now.plus(TTL)));
              }
            }
            case ADOPT -> {
              if (!blocked) { // blocked, the session gets its lock back
                fileRecs.put(f, new Rec(id(h), pid(h), now.plus(TTL)));
              }
            }
            case BOUND -> {
              if (keep) {
                fileRecs.put(f, new Rec(rec.holder, rec.pid, now.plus(TTL)));
              }
            }
            case FREE, TAKE -> {
              if (blocked) {
                fileRecs.remove(f);
              } else {
                fileRecs.put(f, new Rec(id(h), pid(h), now.plus(TTL)));
              }
            }
            default -> { }
          }
        });
      } else if (op instanceof Op.FilesReleaseAll all) {
        List<Integer> freed = new ArrayList<>();
        for (int f = 0; f < FILES.size(); f++) {
          if (state(all.holder(), fileRecs.get(f)) == State.OWN) {
            freed.add(f);
          }
        }
        assertThat(files.releaseAll(claimant(all.holder()), false).isRight()).isTrue();
        freed.forEach(fileRecs::remove);
      }
    }

    void check(Op op) {
      assertThat(recordOf(LEASE)).as("after %s, the lease", op).isEqualTo(leaseRec);
      for (int f = 0; f < FILES.size(); f++) {
        assertThat(recordOf(fileKey(f))).as("after %s, file %s", op, f).isEqualTo(fileRecs.get(f));
      }
      assertThat(backing.list(LockKey.INTENT_PREFIX).get()).as("after %s, no intent record is left", op).isEmpty();
      invariant(op);
    }

    /** Never a live fresh workspace lease beside a live fresh file lock of one of its rivals. */
    void invariant(Object when) {
      Rec theLease = recordOf(LEASE);
      if (!live(theLease)) {
        return;
      }
      for (int f = 0; f < FILES.size(); f++) {
        Rec file = recordOf(fileKey(f));
        if (live(file)) {
          assertThat(rivals(theLease.holder, file.holder))
              .as("after %s: the lease of %s and the lock of %s on file %s", when, theLease.holder, file.holder, f)
              .isFalse();
        }
      }
    }

    Rec recordOf(LockKey key) {
      Option<Slot> slot = backing.read(key).get();
      if (slot.isEmpty()) {
        return null;
      }
      LockRecord record = ((Slot.Held) slot.get()).record();
      return new Rec(record.sessionId(), record.pid(), record.expiresAt());
    }

    /** Runs {@code racers} at once, their store calls interleaved by {@code schedule}, and checks the outcome. */
    Race race(List<Op> racers, List<Integer> schedule) {
      Rec leaseBefore = recordOf(LEASE);
      List<Rec> filesBefore = new ArrayList<>();
      for (int f = 0; f < FILES.size(); f++) {
        filesBefore.add(recordOf(fileKey(f)));
      }
      List<Boolean> heldFreshBefore = new ArrayList<>();
      for (Op racer : racers) {
        heldFreshBefore.add(heldFreshAll(racer));
      }
      Object[] results = store.run(racers.size(), schedule, new SteppedStore.Body() {
        @Override
        public Object run(int racer) {
          Op op = racers.get(racer);
          Either<LockFailure, ?> result = op instanceof Op.Workspace w
              ? lease.acquire(WS, claimant(w.session()), TTL, Option.some(WS_PATH))
              : files.acquire(locked(((Op.Files) op).files()), claimant(((Op.Files) op).holder()), TTL);
          // Busy or Contended is an answer too: another call was taking it at the same moment; the adapter tries again.
          return result.isRight() ? result.get() : result.getLeft();
        }
      });
      Race race = new Race(store.switches());
      List<String> winners = new ArrayList<>();
      List<Boolean> workspaceSide = new ArrayList<>();
      for (int i = 0; i < racers.size(); i++) {
        Op op = racers.get(i);
        boolean won = results[i] instanceof WorkspaceAcquisition.Acquired || results[i] instanceof FileAcquisition.Acquired;
        boolean lostToOtherGranularity = results[i] instanceof WorkspaceAcquisition.FilesHeld
            || (results[i] instanceof FileAcquisition.Blocked b && b.held().get(0).key().isWorkspace());
        assertThat(results[i]).as("racer %s", op).isNotInstanceOf(LockFailure.StoreUnavailable.class);
        if (heldFreshBefore.get(i)) {
          assertThat(lostToOtherGranularity).as("racer %s renewed what it held fresh: %s", op, results[i]).isFalse();
        }
        if (won) {
          // What a win holds is the records it wrote, under their holders. A record whose holder process is dead
          // holds nothing a rival must respect, so it is not counted: a session that renews its bound task's lock
          // keeps the task as the holder (files mode's rule), even when the agent process that took it has died.
          if (results[i] instanceof WorkspaceAcquisition.Acquired lease) {
            winners.add(lease.lease().record().sessionId());
            workspaceSide.add(true);
          } else {
            for (Acquisition.Acquired file : ((FileAcquisition.Acquired) results[i]).files()) {
              if (!liveness.isDead(file.record().pid())) {
                winners.add(file.record().sessionId());
                workspaceSide.add(false);
              }
            }
          }
        } else {
          // A loser leaves what it found: the lease as before, each file as before or renewed by its fresh holder.
          if (op instanceof Op.Workspace) {
            assertThat(asFound(recordOf(LEASE), leaseBefore) || winnerHolds(LEASE, results, racers))
                .as("a losing workspace racer %s changed the lease: %s", op, recordOf(LEASE)).isTrue();
          }
        }
      }
      for (int a = 0; a < winners.size(); a++) {
        for (int b = a + 1; b < winners.size(); b++) {
          if (workspaceSide.get(a) != workspaceSide.get(b)) {
            assertThat(rivals(winners.get(a), winners.get(b)))
                .as("racers %s won both granularities: %s", racers, java.util.Arrays.toString(results)).isFalse();
          }
        }
      }
      for (int f = 0; f < FILES.size(); f++) {
        Rec now = recordOf(fileKey(f));
        boolean someWinnerTookIt = false;
        for (int i = 0; i < racers.size(); i++) {
          if (results[i] instanceof FileAcquisition.Acquired && racers.get(i) instanceof Op.Files r
              && r.files().contains(f)) {
            someWinnerTookIt = true;
          }
        }
        if (!someWinnerTookIt) {
          assertThat(asFound(now, filesBefore.get(f)))
              .as("file %s changed holder with no winner taking it: %s -> %s (%s: %s)", f, filesBefore.get(f), now,
                  racers, java.util.Arrays.toString(results))
              .isTrue();
        }
      }
      invariant(racers);
      assertThat(backing.list(LockKey.INTENT_PREFIX).get()).as("no intent record is left").isEmpty();
      boolean rivalsRaced = false;
      for (int a = 0; a < racers.size(); a++) {
        for (int b = a + 1; b < racers.size(); b++) {
          rivalsRaced |= (racers.get(a) instanceof Op.Workspace) != (racers.get(b) instanceof Op.Workspace);
        }
      }
      race.nobodyWon = rivalsRaced && winners.isEmpty();
      return race;
    }

    /** Whether everything {@code op} asks for is the holder's already, fresh (then it must never back off). */
    boolean heldFreshAll(Op op) {
      if (op instanceof Op.Workspace w) {
        return state(w.session(), leaseRec) == State.OWN && heldFresh(leaseRec, w.session());
      }
      Op.Files f = (Op.Files) op;
      for (int file : f.files()) {
        State st = state(f.holder(), fileRecs.get(file));
        if (st == State.FREE || st == State.TAKE || st == State.BLOCK || !heldFresh(fileRecs.get(file), f.holder())) {
          return false;
        }
      }
      return true;
    }

    boolean winnerHolds(LockKey key, Object[] results, List<Op> racers) {
      Rec now = recordOf(key);
      for (int i = 0; i < racers.size(); i++) {
        if (results[i] instanceof WorkspaceAcquisition.Acquired && racers.get(i) instanceof Op.Workspace w
            && now != null && now.holder.equals(id(w.session()))) {
          return true;
        }
      }
      return false;
    }

    /**
     * A record as a loser must leave it: the same holder (restored, or renewed by a holder that held it fresh), or
     * free where a stale or dead holder's record was (a takeover given back leaves it free).
     */
    boolean asFound(Rec now, Rec before) {
      return sameHolder(now, before) || (now == null && !live(before));
    }

    static boolean sameHolder(Rec a, Rec b) {
      return a == null ? b == null : b != null && a.holder.equals(b.holder) && a.pid == b.pid;
    }
  }

  private static final class Race {
    final int switches;
    boolean nobodyWon;

    Race(int switches) {
      this.switches = switches;
    }
  }

  /**
   * A store whose every call, made from a racer thread, waits for the scheduler's word: the schedule picks which
   * waiting racer makes its next store call, so a generated list of numbers is one interleaving of the racers'
   * reads and writes. Calls from the test's own thread pass straight through.
   */
  static final class SteppedStore extends ForwardingLockStore {

    interface Body {
      Object run(int racer);
    }

    private final ThreadLocal<Integer> racer = new ThreadLocal<>();
    private final Object monitor = new Object();
    private boolean[] waiting = new boolean[0];
    private boolean[] done = new boolean[0];
    private int running = -1;
    private int switches;

    SteppedStore(LockStore inner) {
      super(inner);
    }

    int switches() {
      return switches;
    }

    /** Runs {@code count} racers to the end, interleaved by {@code schedule}; their results by racer. */
    Object[] run(int count, List<Integer> schedule, Body body) {
      Object[] results = new Object[count];
      Throwable[] failures = new Throwable[count];
      synchronized (monitor) {
        waiting = new boolean[count];
        done = new boolean[count];
        running = -1;
        switches = 0;
      }
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int me = i;
        Thread thread = new Thread(() -> {
          racer.set(me);
          try {
            results[me] = body.run(me);
          } catch (Throwable t) {
            failures[me] = t;
          } finally {
            synchronized (monitor) {
              done[me] = true;
              monitor.notifyAll();
            }
          }
        }, "racer-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      int step = 0;
      int last = -1;
      synchronized (monitor) {
        while (true) {
          while (!quiescent()) {
            waitUntil(deadline);
          }
          List<Integer> ready = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            if (waiting[i]) {
              ready.add(i);
            }
          }
          if (ready.isEmpty()) {
            break;
          }
          int next = ready.get(schedule.get(step++ % schedule.size()) % ready.size());
          if (last >= 0 && next != last) {
            switches++;
          }
          last = next;
          running = next;
          monitor.notifyAll();
        }
      }
      for (Thread thread : threads) {
        try {
          thread.join(10_000);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      for (Throwable failure : failures) {
        if (failure != null) {
          throw new AssertionError("a racer failed", failure);
        }
      }
      return results;
    }

    private boolean quiescent() {
      if (running >= 0) {
        return false;
      }
      for (int i = 0; i < waiting.length; i++) {
        if (!waiting[i] && !done[i]) {
          return false;
        }
      }
      return true;
    }

    private void waitUntil(long deadline) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("racers did not finish: a store call never returned");
      }
      try {
        monitor.wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }

    /** A racer's turn: wait until the scheduler picks it. */
    @Override
    protected void beforeCall() {
      Integer me = racer.get();
      if (me == null) {
        return;
      }
      synchronized (monitor) {
        waiting[me] = true;
        monitor.notifyAll();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (running != me) {
          waitUntil(deadline);
        }
        running = -1;
        waiting[me] = false;
      }
    }
  }
}
