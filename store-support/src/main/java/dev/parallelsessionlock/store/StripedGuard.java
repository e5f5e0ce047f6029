package dev.parallelsessionlock.store;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.StoreFailure;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Mutual exclusion per key across threads and processes, for a compare-and-write on files: an exclusive OS lock on
 * one of {@value #STRIPES} guard files {@code <dir>/.session-lock.guard-NN}, chosen by the key (the kernel drops it
 * when a holder process dies), and an in-process lock, since an OS file lock is held per JVM. So a process stuck
 * holding one guard (a stopped terminal, a hung network file system) delays only the keys of that stripe, and only
 * until the timeout: every wait is a {@code tryLock} against it, answered as a {@link StoreFailure}. The in-process
 * locks are keyed by the folder's identity ({@link LockDirectory#identity}), so one folder reached through a bind
 * mount or a symlink shares them, and they are dropped when no thread uses them.
 */
public final class StripedGuard {

  /** How many guard files keys are spread over. */
  public static final int STRIPES = 64;
  /** How long a guarded action waits for its guard unless the caller says otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  static final String GUARD_NAME = ".session-lock.guard";
  /** In-process guards by folder identity and stripe, with the number of threads using each. */
  private static final Map<String, InProcessGuard> IN_PROCESS = new HashMap<>();

  private final LockDirectory dir;
  private final long timeoutNanos;

  private StripedGuard(LockDirectory dir, Duration timeout) {
    this.dir = dir;
    this.timeoutNanos = timeout.toNanos();
  }

  /** The guards of {@code dir}; an action that cannot get its guard within {@code timeout} fails, naming it. */
  public static StripedGuard of(LockDirectory dir, Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("guard timeout must not be negative: " + timeout);
    }
    return new StripedGuard(dir, timeout);
  }

  /** The guard file whose OS lock serializes the actions on {@code key} (and on the other keys of its stripe). */
  public Path guardPath(LockKey key) {
    int hash = 0x811c9dc5;
    String name = key.name();
    for (int i = 0; i < name.length(); i++) {
      hash = (hash ^ name.charAt(i)) * 0x01000193;
    }
    int stripe = (hash >>> 8) % STRIPES;
    return dir.path().resolve(GUARD_NAME + "-" + (stripe < 16 ? "0" : "") + Integer.toHexString(stripe));
  }

  /**
   * Runs {@code action} under the guard of {@code key}: the in-process and the OS lock of its stripe, each waited
   * for with {@code tryLock} until the timeout. An I/O error of the action, or a guard that stays held, is the
   * {@link StoreFailure} of {@code operation}.
   */
  public <T> Either<StoreFailure, T> exclusively(LockKey key, String operation, Guarded<T> action) {
    Path guard = guardPath(key);
    long deadline = System.nanoTime() + timeoutNanos;
    InProcessGuard local = InProcessGuard.enter(dir.identity() + " " + guard.getFileName());
    try {
      if (!local.lock.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
        return Either.left(busy(key, operation, guard, "another thread of this process"));
      }
      RegularFiles.requireRegularOrAbsent(guard); // opening a FIFO for writing blocks until a reader comes
      try (FileChannel channel = FileChannel.open(guard,
          Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), dir.privateFile())) {
        FileLock os = tryLockUntil(channel, deadline);
        if (os == null) {
          return Either.left(busy(key, operation, guard, "another process (a stopped or hung one?)"));
        }
        try {
          return Either.right(action.run());
        } finally {
          os.release();
        }
      } finally {
        local.lock.unlock();
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, operation, IoErrors.describe(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Either.left(new StoreFailure(key, operation, "interrupted while waiting for " + guard));
    } finally {
      InProcessGuard.leave(local);
    }
  }

  /** The OS lock on {@code channel}, polled with a growing pause until {@code deadline}; null when it stays held. */
  private static FileLock tryLockUntil(FileChannel channel, long deadline) throws IOException, InterruptedException {
    long pauseMillis = 1;
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        lock = null; // held through another channel of this JVM; wait for it like for another process
      }
      if (lock != null) {
        return lock;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Thread.sleep(Math.max(1, Math.min(pauseMillis, TimeUnit.NANOSECONDS.toMillis(left))));
      pauseMillis = Math.min(pauseMillis * 2, 25);
    }
  }

  private StoreFailure busy(LockKey key, String operation, Path guard, String holder) {
    return new StoreFailure(key, operation, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
        + " ms waiting for " + guard + ", held by " + holder);
  }

  /** How many in-process guards exist now (each is dropped when no thread uses it). */
  public static int inProcessGuards() {
    synchronized (IN_PROCESS) {
      return IN_PROCESS.size();
    }
  }

  /** An in-process lock shared by every guard of one folder and stripe, dropped when unused. */
  private static final class InProcessGuard {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    int users;

    private InProcessGuard(String name) {
      this.name = name;
    }

    static InProcessGuard enter(String name) {
      synchronized (IN_PROCESS) {
        InProcessGuard guard = IN_PROCESS.get(name);
        if (guard == null) {
          guard = new InProcessGuard(name);
          IN_PROCESS.put(name, guard);
        }
        guard.users++;
        return guard;
      }
    }

    static void leave(InProcessGuard guard) {
      synchronized (IN_PROCESS) {
        if (--guard.users == 0) {
          IN_PROCESS.remove(guard.name);
        }
      }
    }
  }

  /**
   * The body of a guarded action. Anonymous classes implement it, not lambdas: every hook process runs this,
   * and the hook path loads no lambda class (HookStartupIT).
   */
  public interface Guarded<T> {
    T run() throws IOException;
  }
}
