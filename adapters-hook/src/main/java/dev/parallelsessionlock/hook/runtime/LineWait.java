package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.Turn;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waiting in a {@link FairLine}, written once for the hook and the commands: try {@link FairLine#attempt} until it
 * is granted, answered with a deadlock, or the budget is spent. Between tries it waits for a change of the store
 * ({@link Changes}), not a coarse poll: on the lock directory a {@link WatchService} (inotify on Linux) wakes it
 * when a lease or a file lock is written or removed, or a ticket leaves its line, with a short poll as a safety net
 * (a holder that dies writes nothing); through a database store, the short poll alone.
 *
 * <p>The core never sleeps; this adapter does. On the hook path: no lambdas, anonymous classes only.
 */
public final class LineWait {

  /**
   * The watch's safety net: the longest a waiter on the lock directory goes between two tries when nothing it watches
   * changed (a holder that died, a lease or ticket that ran out: nothing is written for those).
   */
  public static final long SAFETY_NET_MS = 200;

  /** The poll of a store that cannot be watched (a database): every try is a round trip. */
  public static final long POLL_MS = 50;

  /** Where the time and the changes come from: the system's, or a test's. */
  public interface Changes extends AutoCloseable {

    /** Now, in nanoseconds from any origin ({@link System#nanoTime}). */
    long nanoTime();

    /**
     * Returns once something that may let a waiter in changed, or after {@code maxNanos} at most (sooner: its own
     * safety net or poll).
     */
    void await(long maxNanos) throws InterruptedException;

    @Override
    void close();
  }

  private LineWait() {}

  /**
   * Tries {@code keys} for {@code claimant} until granted, a deadlock, or {@code budgetNanos} from now: the last
   * turn. A try that lost every round to rivals, or met its own holder's other call ({@link LockFailure#tryAgain}), is tried again after the next change;
   * any other failure ends the wait at once, and so does the claimant's own process found dead (its agent killed:
   * it leaves the line). A budget of 0 is one try.
   */
  public static <G> Either<LockFailure, Turn<G>> await(FairLine line, List<LockKey> keys, Claimant claimant,
      Grantor<G> grantor, long budgetNanos, Changes changes) {
    long end = changes.nanoTime() + Math.max(0, budgetNanos);
    while (true) {
      Either<LockFailure, Turn<G>> turn = line.attempt(keys, claimant, grantor);
      boolean again = turn.isLeft() ? turn.getLeft().tryAgain()
          : turn.get() instanceof Turn.Waiting;
      long left = end - changes.nanoTime();
      if (!again || left <= 0) {
        return turn;
      }
      try {
        changes.await(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return turn;
      }
      if (line.isGone(claimant)) {
        line.leave(keys, claimant); // its agent was killed: nobody waits for the answer; a failure: the ttl ends it
        return turn;
      }
    }
  }

  /**
   * One try, and when that waits in line and {@code budgetNanos} is not 0, the wait ({@link #await}) with the
   * changes of {@code lockDir} (the lock directory; none: a database store, the poll). The watch is opened only when
   * there is something to wait for, and before the next try, so no change between the two is missed.
   */
  public static <G> Either<LockFailure, Turn<G>> inLine(FairLine line, List<LockKey> keys, Claimant claimant,
      Grantor<G> grantor, long budgetNanos, Option<Path> lockDir) {
    long start = System.nanoTime();
    Either<LockFailure, Turn<G>> first = budgetNanos == 0 ? line.tryOnce(keys, claimant, grantor)
        : line.attempt(keys, claimant, grantor);
    boolean again = first.isLeft() ? first.getLeft().tryAgain()
        : first.get() instanceof Turn.Waiting;
    long left = budgetNanos - (System.nanoTime() - start);
    if (!again || left <= 0) {
      return first;
    }
    Changes changes = lockDir.isDefined() ? ofDirectory(lockDir.get()) : polling();
    try {
      return await(line, keys, claimant, grantor, left, changes);
    } finally {
      changes.close();
    }
  }

  /**
   * The changes of the lock directory {@code dir}: a watch on it, woken by a record written or removed there other
   * than a waiter's renewal (a ticket or marker written, a temp file), or by a ticket removed (a waiter left or was
   * granted). Falls back to the poll when the directory cannot be watched.
   */
  public static Changes ofDirectory(Path dir) {
    try {
      WatchService watcher = FileSystems.getDefault().newWatchService();
      dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      return new DirectoryChanges(watcher);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return polling();
    }
  }

  /** The changes of {@code store}: its lock directory's, or the poll for a database store. */
  public static Changes changesOf(OpenStore store) {
    return store.files().isDefined() ? ofDirectory(store.files().get().directory()) : polling();
  }

  /** The poll alone (a database store: nothing to watch on this machine). */
  public static Changes polling() {
    return new Polling();
  }

  /** Whether a change to {@code name} in the lock directory may let a waiter in. */
  static boolean wakes(String name, boolean deleted) {
    if (name.startsWith(".") || !name.endsWith(".json")) {
      return false; // a temp file of an atomic write, a kept-aside record: its rename shows as the record's
    }
    if (name.startsWith(FairLine.MARKER_PREFIX)) {
      return false;
    }
    return deleted || !name.startsWith(FairLine.TICKET_PREFIX); // another waiter's renewal changes nobody's turn
  }

  private static final class Polling implements Changes {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void await(long maxNanos) throws InterruptedException {
      TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(maxNanos, TimeUnit.MILLISECONDS.toNanos(POLL_MS))));
    }

    @Override
    public void close() {}
  }

  private static final class DirectoryChanges implements Changes {
    private final WatchService watcher;

    DirectoryChanges(WatchService watcher) {
      this.watcher = watcher;
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void await(long maxNanos) throws InterruptedException {
      long wait = Math.max(0, Math.min(maxNanos, TimeUnit.MILLISECONDS.toNanos(SAFETY_NET_MS)));
      long end = System.nanoTime() + wait;
      try {
        for (long left = wait; left > 0; left = end - System.nanoTime()) {
          WatchKey key = watcher.poll(left, TimeUnit.NANOSECONDS);
          if (key == null) {
            return;
          }
          boolean wake = false;
          for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
              wake = true;
            } else if (event.context() instanceof Path name) {
              wake |= wakes(name.toString(), event.kind() == StandardWatchEventKinds.ENTRY_DELETE);
            }
          }
          key.reset();
          if (wake) {
            return;
          }
        }
      } catch (ClosedWatchServiceException e) {
        TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
      }
    }

    @Override
    public void close() {
      try {
        watcher.close();
      } catch (IOException e) {
        // nothing held but the inotify descriptor, gone with the process
      }
    }
  }
}
