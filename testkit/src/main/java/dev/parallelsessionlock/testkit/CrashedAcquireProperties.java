package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.parallelsessionlock.core.*;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An acquire of several files whose process dies at any store call (the process-level test kills the built
 * executable; here the store stops answering at a generated call) leaves nothing that outlives it: the next
 * acquirer of those files, a rival or the same task again, frees what the dead acquire newly took and gets every
 * file at once; the task's earlier locks, renewed by the dead acquire or not, stay the task's; and a set the task
 * took again after the crash is not freed as the dead acquire's.
 *
 * <p>Every store's tests extend this class with {@link #newStore()}; the testkit's own run is over the in-memory store.
 */
public abstract class CrashedAcquireProperties {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00.000123456Z");
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final WorkspaceHash WS = WorkspaceHash.of("/ws");

  /** A new, empty store for one run. */
  protected abstract LockStore newStore();

  /** Runs per property; a store that writes to disk may ask for fewer. */
  protected int examples() {
    return 400;
  }

  @Test
  public void anAcquireKilledAtAnyStoreCall_isFreedByTheNextAcquirer_andTheTasksEarlierLocksStay() {
    AtomicInteger crashed = new AtomicInteger();
    AtomicInteger partial = new AtomicInteger();
    qt().withExamples(examples())
        .forAll(integers().between(2, 8), integers().between(0, 2), integers().between(0, 24), booleans().all())
        .checkAssert((newFiles, earlierInSet, crashAt, sameTaskAgain) -> {
          Run run = new Run(newStore());
          run.play(newFiles, earlierInSet, crashAt, sameTaskAgain);
          crashed.addAndGet(run.crashed ? 1 : 0);
          partial.addAndGet(run.partial ? 1 : 0);
        });
    // The crash points must really have cut acquires half-way, or this tested nothing.
    assertThat(partial.get()).isGreaterThan(examples() / 7);
    System.out.printf("crashed acquires: %d, of which %d left a partial set%n", crashed.get(), partial.get());
  }

  private static final class Crash extends RuntimeException {
    Crash() {
      super("the process running the acquire was killed", null, false, false);
    }
  }

  /** A store whose {@code crashAt}-th call (from 1) never happens: the process is gone. */
  private static final class CrashingStore extends ForwardingLockStore {
    int calls;
    int crashAt = -1;

    CrashingStore(LockStore inner) {
      super(inner);
    }

    @Override
    protected void beforeCall() {
      if (crashAt >= 0 && ++calls >= crashAt) {
        crashAt = -1;
        throw new Crash();
      }
    }
  }

  private static final class Run {
    final MutableClock clock = new MutableClock(T0);
    final FakeLiveness liveness = new FakeLiveness();
    final LockStore backing;
    final CrashingStore store;
    final InMemoryHolderIndex index = new InMemoryHolderIndex();
    final ParallelSessionLock lock;
    final Claimant task = Claimant.task("T", ModelHolders.process(500), Option.none());
    final Claimant rival = Claimant.task("R", ModelHolders.process(600), Option.none());
    boolean crashed;
    boolean partial;

    Run(LockStore backing) {
      this.backing = backing;
      this.store = new CrashingStore(backing);
      this.lock = ParallelSessionLock.of(store, liveness, clock).withTtl(TTL);
    }

    /** The locks of a command run by process {@code writer} (the short-lived CLI, not the task's agent). */
    FileLocks locksOf(long writer) {
      return FileLocks.of(lock, store, index).withWriter(ModelHolders.process(writer));
    }

    static List<FileLocks.LockedFile> files(String prefix, int count) {
      List<FileLocks.LockedFile> files = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        files.add(new FileLocks.LockedFile(WS, "/ws/" + prefix + i + ".txt"));
      }
      return files;
    }

    String holderOf(FileLocks.LockedFile file) {
      Option<Slot> slot = backing.read(file.key()).get();
      return slot.isEmpty() ? null : ((Slot.Held) slot.get()).record().sessionId();
    }

    void play(int newFiles, int earlierInSet, int crashAt, boolean sameTaskAgain) {
      List<FileLocks.LockedFile> earlier = files("earlier-", 2);
      List<FileLocks.LockedFile> fresh = files("new-", newFiles);
      assertThat(locksOf(700).acquire(earlier, task, TTL).get()).isInstanceOf(FileAcquisition.Acquired.class);
      clock.advance(Duration.ofSeconds(20));

      List<FileLocks.LockedFile> set = new ArrayList<>(earlier.subList(0, earlierInSet));
      set.addAll(fresh);
      store.calls = 0;
      store.crashAt = crashAt;
      try {
        assertThat(locksOf(701).acquire(set, task, TTL).get()).isInstanceOf(FileAcquisition.Acquired.class);
      } catch (Crash killed) {
        crashed = true;
      }
      store.crashAt = -1;
      liveness.kill(701); // the command's process is gone, killed or finished; the task's agent lives on
      int left = 0;
      for (FileLocks.LockedFile file : fresh) {
        left += "task:T".equals(holderOf(file)) ? 1 : 0;
      }
      partial = crashed && left > 0 && left < fresh.size();
      clock.advance(Duration.ofSeconds(1));

      if (!crashed) {
        assertThat(locksOf(702).acquire(fresh, rival, TTL).get()).as("a finished acquire holds its files")
            .isInstanceOf(FileAcquisition.Blocked.class);
      } else if (!sameTaskAgain) {
        Either<LockFailure, FileAcquisition> taken = locksOf(702).acquire(fresh, rival, TTL);
        assertThat(taken.get()).as("the rival after a crash with %d of %d files left", left, fresh.size())
            .isInstanceOf(FileAcquisition.Acquired.class);
        for (FileLocks.LockedFile file : fresh) {
          assertThat(holderOf(file)).isEqualTo("task:R");
        }
      } else {
        assertThat(locksOf(703).acquire(set, task, TTL).get()).as("the task again, after a crash with %d left", left)
            .isInstanceOf(FileAcquisition.Acquired.class);
        liveness.kill(703);
        clock.advance(Duration.ofSeconds(1));
        assertThat(locksOf(704).acquire(fresh, rival, TTL).get())
            .as("what the task took again is its own, not the dead acquire's").isInstanceOf(FileAcquisition.Blocked.class);
        for (FileLocks.LockedFile file : fresh) {
          assertThat(holderOf(file)).isEqualTo("task:T");
        }
      }
      for (FileLocks.LockedFile file : earlier) {
        assertThat(holderOf(file)).as("the task's earlier lock on %s", file.path()).isEqualTo("task:T");
      }
      for (Slot slot : backing.list(LockKey.INTENT_PREFIX).get()) {
        // Only the intent of an acquire killed before it wrote a file may be left (prune removes it): none of its
        // files are held.
        String attempt = ((Slot.Held) slot).record().details().attempt().get();
        for (Slot file : backing.list(LockKey.FILE_PREFIX).get()) {
          assertThat(((Slot.Held) file).record().details().attempt()).as("a file of a left intent").isNotEqualTo(
              Option.some(attempt));
        }
      }
    }
  }
}
