package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.parallelsessionlock.testkit.ModelHolders.State;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.InMemoryHolderIndex;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.WorkspaceHash;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random interleavings of session and task acquire, refresh, release, release-all and process deaths over three
 * files, against a small model of one namespace. Holders: sessions 0 and 1, task A (taken from session 0, so
 * session 0 may use its locks and task A may adopt session 0's) and task B (an executor script of its own).
 * After every step the store holds exactly what the model says; an acquire blocks exactly when the model says,
 * naming exactly the held files, and then leaves every file as it found it (only a renewal of a lock the holder
 * already held fresh stays renewed); a release never frees another holder's file. Acquires run with a writer, so
 * an acquire of several files writes an intent record; none is left after a step.
 */
public abstract class FileLocksProperties {

  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final WorkspaceHash WS = WorkspaceHash.of("/ws");
  private static final List<String> FILES = List.of("/ws/a.txt", "/ws/b.txt", "/ws/src/c.java");
  private static final int HOLDERS = 4; // session 0, session 1, task A, task B

  sealed interface Op {
    record Acquire(int holder, List<Integer> files) implements Op {}

    record Refresh(int holder, List<Integer> files) implements Op {}

    record Release(int holder, List<Integer> files) implements Op {}

    record ReleaseAll(int holder, boolean scan) implements Op {}

    record Advance(int millis) implements Op {}

    /** The holder's process dies; the holder goes on in a new process. */
    record Kill(int holder) implements Op {}
  }

  private static final Gen<List<Integer>> SOME_FILES = lists().of(integers().between(0, FILES.size() - 1))
      .ofSizeBetween(1, 3);

  /**
   * The operations of a run, by every holder, or by the two sessions where the store keeps no tasks; acquiring one
   * file at a time where it keeps no generation.
   */
  private Gen<Op> ops() {
    LockRecord probe = asStored(new FileLocks.LockedFile(WS, FILES.get(0)).key(), new LockRecord(
        LockRecord.SCHEMA_VERSION, "task:A", ProcessRef.ofPid(1), T0, TTL, T0, 42, new LockRecord.Details(
            Option.some(FILES.get(0)), Option.none(), Option.some("A"), Option.none(), Option.none())));
    Gen<Integer> holder = integers().between(0, probe.details().isTask() ? HOLDERS - 1 : 1);
    Gen<List<Integer>> toAcquire = probe.generation() == 42 ? SOME_FILES
        : lists().of(integers().between(0, FILES.size() - 1)).ofSize(1);
    return Generate.frequency(java.util.List.of(
        Pair.of(8, holder.zip(toAcquire, (h, f) -> (Op) new Op.Acquire(h, f))),
        Pair.of(3, holder.zip(SOME_FILES, (h, f) -> (Op) new Op.Refresh(h, f))),
        Pair.of(3, holder.zip(SOME_FILES, (h, f) -> (Op) new Op.Release(h, f))),
        Pair.of(2, holder.zip(booleans().all(), (h, s) -> (Op) new Op.ReleaseAll(h, s))),
        Pair.of(3, integers().between(0, 400_000).map(ms -> (Op) new Op.Advance(ms))),
        Pair.of(1, holder.map(h -> (Op) new Op.Kill(h)))));
  }

  /** A new, empty store for one run. */
  protected abstract LockStore newStore();

  /**
   * The record this store gives back after storing {@code written} under {@code key}; every field unless the store
   * says otherwise (as {@link LockStoreContract#asStored}), asked about the store {@link #newStore} made last. The
   * model expects exactly that. A store whose records keep no holder kind (a work item names a session and a time)
   * holds no task locks: its runs have the two sessions as holders, not the tasks. A store that keeps no fencing
   * generation cannot take back a partly taken set ({@code FileLocks} rolls back with fenced releases, which such a
   * store refuses): its runs acquire one file at a time.
   */
  protected LockRecord asStored(LockKey key, LockRecord written) {
    return written;
  }

  /**
   * Whether the store keeps a holder's process per session, not per record (see
   * {@link LockProtocolProperties#keepsProcessPerSession}); the model then reads every record of a holder with the
   * process of its last write.
   */
  protected boolean keepsProcessPerSession() {
    return false;
  }

  /** The holder index beside {@code store}; an index in memory unless the store has its own. */
  protected HolderIndex newIndex(LockStore store) {
    return new InMemoryHolderIndex();
  }

  /** Runs of the property; a store that writes to disk or over a network may ask for fewer. */
  protected int examples() {
    return 500;
  }

  @Test
  public void fileLocks_agreeWithTheModel_acrossSessionsAndTasks() {
    newStore(); // asStored may describe the store made last: a first one, before it is asked about holder kinds
    Gen<Op> steps = ops();
    qt().withExamples(examples()).forAll(lists().of(steps).ofSizeBetween(1, 50))
        .checkAssert(ops -> new Run(newStore()).play(ops));
  }

  /** The model's view of one file's record. */
  record Rec(String holder, long pid, Instant expires) {}

  private final class Run {
    final MutableClock clock = new MutableClock(T0);
    final FakeLiveness liveness = new FakeLiveness();
    final WrittenProcesses store;
    final FileLocks locks;
    final ModelHolders holders = new ModelHolders(liveness);
    final Map<Integer, Rec> model = new HashMap<>();

    Run(LockStore store) {
      this.store = new WrittenProcesses(store);
      this.locks = FileLocks.of(ParallelSessionLock.of(this.store, liveness, clock).withTtl(TTL), this.store,
          newIndex(store)).withWriter(new ProcessRef(9001, Option.none(), Option.none(),
              Option.some(new ProcessRef.Identity("boot", "pid-ns", 9001 * 7))));
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

    List<FileLocks.LockedFile> files(List<Integer> indexes) {
      List<FileLocks.LockedFile> files = new ArrayList<>();
      for (int i : indexes) {
        files.add(new FileLocks.LockedFile(WS, FILES.get(i)));
      }
      return files;
    }

    /** The record of {@code file} as the store keeps it ({@link #asStored}); none when free. */
    Option<LockRecord> stored(int file) {
      Rec rec = model.get(file);
      if (rec == null) {
        return Option.none();
      }
      ProcessRef process = new ProcessRef(rec.pid, Option.none(), Option.none(),
          Option.some(new ProcessRef.Identity("boot", "pid-ns", rec.pid * 7)));
      Option<String> task = rec.holder.startsWith(Claimant.TASK_PREFIX)
          ? Option.some(rec.holder.substring(Claimant.TASK_PREFIX.length())) : Option.none();
      LockRecord written = new LockRecord(LockRecord.SCHEMA_VERSION, rec.holder, process, rec.expires.minus(TTL), TTL,
          rec.expires.minus(TTL), 0, new LockRecord.Details(Option.some(FILES.get(file)), Option.none(), task,
          Option.none(), Option.none()));
      return Option.some(asStored(new FileLocks.LockedFile(WS, FILES.get(file)).key(),
          keepsProcessPerSession() ? store.withSessionProcess(written) : written));
    }

    /** The model's view of {@code file} as the store keeps it; null when free. */
    Rec seen(int file) {
      return stored(file).map(record -> new Rec(record.sessionId(), record.pid(), record.expiresAt())).getOrNull();
    }

    State state(int holder, int file) {
      Rec rec = seen(file);
      if (rec == null) {
        return State.FREE;
      }
      return holders.state(holder, rec.holder, rec.pid, !clock.instant().isBefore(rec.expires));
    }

    /** The lock was the holder's before, in a way every rival respected: fresh, its process not dead. */
    boolean heldFresh(Rec rec, int holder) {
      return holders.heldFresh(holder, rec.pid, !clock.instant().isBefore(rec.expires));
    }

    void play(List<Op> ops) {
      for (Op op : ops) {
        step(op);
        check(op);
      }
    }

    void step(Op op) {
      Instant now = clock.instant();
      if (op instanceof Op.Advance advance) {
        clock.advance(Duration.ofMillis(advance.millis()));
      } else if (op instanceof Op.Kill kill) {
        holders.kill(kill.holder());
      } else if (op instanceof Op.Acquire acquire) {
        Map<Integer, State> states = new HashMap<>();
        for (int f : new TreeSet<>(acquire.files())) {
          states.put(f, state(acquire.holder(), f));
        }
        boolean blocked = states.containsValue(State.BLOCK);
        Either<LockFailure, FileAcquisition> result =
            locks.acquire(files(acquire.files()), claimant(acquire.holder()), TTL);
        assertThat(result.isRight()).as("%s", result).isTrue();
        if (blocked) {
          assertThat(result.get()).isInstanceOf(FileAcquisition.Blocked.class);
          List<LockKey> named = new ArrayList<>();
          for (Acquisition.Blocked b : ((FileAcquisition.Blocked) result.get()).held()) {
            named.add(b.key());
          }
          List<LockKey> expected = new ArrayList<>();
          states.forEach((f, s) -> {
            if (s == State.BLOCK) {
              expected.add(new FileLocks.LockedFile(WS, FILES.get(f)).key());
            }
          });
          assertThat(named).containsExactlyInAnyOrderElementsOf(expected);
        } else {
          assertThat(result.get()).isInstanceOf(FileAcquisition.Acquired.class);
        }
        states.forEach((f, s) -> {
          Rec rec = model.get(f);
          // Blocked, the call gives back what it took: as it found it, unless its holder already held it fresh.
          boolean keep = !blocked || (rec != null && heldFresh(rec, acquire.holder()));
          switch (s) {
            case OWN -> {
              if (keep) {
                model.put(f, new Rec(id(acquire.holder()), pid(acquire.holder()), now.plus(TTL)));
              }
            }
            case ADOPT -> {
              if (!blocked) { // blocked, the session gets its lock back
                model.put(f, new Rec(id(acquire.holder()), pid(acquire.holder()), now.plus(TTL)));
              }
            }
            case BOUND -> {
              if (keep) {
                model.put(f, new Rec(rec.holder, rec.pid, now.plus(TTL)));
              }
            }
            case FREE, TAKE -> {
              if (blocked) {
                model.remove(f); // rolled back: what this call took is free again
              } else {
                model.put(f, new Rec(id(acquire.holder()), pid(acquire.holder()), now.plus(TTL)));
              }
            }
            default -> { }
          }
        });
      } else if (op instanceof Op.Refresh refresh) {
        Map<Integer, State> states = new HashMap<>();
        for (int f : new TreeSet<>(refresh.files())) {
          states.put(f, state(refresh.holder(), f));
        }
        assertThat(locks.refresh(files(refresh.files()), claimant(refresh.holder())).isRight()).isTrue();
        states.forEach((f, s) -> {
          Rec rec = model.get(f);
          if (s == State.OWN || s == State.ADOPT) {
            model.put(f, new Rec(id(refresh.holder()), pid(refresh.holder()), now.plus(TTL)));
          } else if (s == State.BOUND) {
            model.put(f, new Rec(rec.holder, rec.pid, now.plus(TTL)));
          }
        });
      } else if (op instanceof Op.Release release) {
        List<Integer> freed = new ArrayList<>();
        for (int f : new TreeSet<>(release.files())) {
          if (state(release.holder(), f) == State.OWN) {
            freed.add(f);
          }
        }
        assertThat(locks.release(files(release.files()), claimant(release.holder())).isRight()).isTrue();
        freed.forEach(model::remove);
      } else if (op instanceof Op.ReleaseAll all) {
        List<Integer> freed = new ArrayList<>();
        for (int f = 0; f < FILES.size(); f++) {
          if (state(all.holder(), f) == State.OWN) {
            freed.add(f);
          }
        }
        Either<LockFailure, List<Release.Released>> result = locks.releaseAll(claimant(all.holder()), all.scan());
        assertThat(result.isRight()).isTrue();
        assertThat(result.get()).hasSize(freed.size());
        freed.forEach(model::remove);
      }
    }

    void check(Op op) {
      assertThat(store.list(LockKey.INTENT_PREFIX).get()).as("after %s, no intent record is left", op).isEmpty();
      for (int f = 0; f < FILES.size(); f++) {
        Option<Slot> slot = store.read(new FileLocks.LockedFile(WS, FILES.get(f)).key()).get();
        Option<LockRecord> expected = stored(f);
        if (expected.isEmpty()) {
          assertThat(slot.isEmpty()).as("after %s, file %s should be free: %s", op, f, slot).isTrue();
        } else {
          assertThat(slot.isDefined()).as("after %s, file %s should be held", op, f).isTrue();
          LockRecord record = ((Slot.Held) slot.get()).record();
          assertThat(new Rec(record.sessionId(), record.pid(), record.expiresAt())).as("after %s, file %s", op, f)
              .isEqualTo(seen(f));
          assertThat(record.details().path()).isEqualTo(expected.get().details().path());
          assertThat(record.details().isTask()).isEqualTo(expected.get().details().isTask());
        }
      }
    }
  }
}
