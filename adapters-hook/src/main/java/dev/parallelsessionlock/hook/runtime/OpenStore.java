package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceLease;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.hook.runtime.resident.DirectPath;
import dev.parallelsessionlock.hook.runtime.resident.HelperPaths;
import dev.parallelsessionlock.hook.runtime.resident.Helpers;
import dev.parallelsessionlock.hook.runtime.resident.ResidentStore;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;

/**
 * The lock store the hook and the commands use: the lock directory by default, or the database that
 * {@code SESSION_LOCK_STORE} names ({@link DatabaseStore}, loaded only then: the default hook path loads no JDBC
 * class, HookStartupIT checks it). A {@code SESSION_LOCK_STORE} that names no store is a store that cannot be used
 * (the hook fails open and says so, commands exit 69), never the lock directory instead.
 *
 * @param store the records
 * @param index the holder index beside them
 * @param clock the database's clock when {@code SESSION_LOCK_STORE_CLOCK=database}
 * @param files the file store, when that is the store (for what only it has: kept-aside files, its directory)
 * @param description where the records are, for people (no credentials)
 */
public record OpenStore(LockStore store, HolderIndex index, Option<Clock> clock, Option<FileLockStore> files,
    String description) {

  /** The thread opening a database store before the hook read its event ({@link #openAhead}). Guarded by the class. */
  private static Thread opener;
  /** What it opened, for the next {@link #open}; one hook process opens one store. Guarded by the class. */
  private static Either<StoreFailure, OpenStore> openedAhead;

  /**
   * Starts opening the configured database store now, beside the reading of the event, so that the driver's start
   * and the connection are not counted in the decision's deadline: {@code deadline} starts once it is open. The next
   * {@link #open} waits for it and returns it (or its failure, which the hook reports as it would have). A call
   * that needs no store (a read) never waits for it. Nothing for the lock directory, which opens in microseconds.
   */
  public static void openAhead(HookConfig config, Duration timeout, HookDeadline deadline) {
    if (config.storeProblem().isDefined() || config.store().isEmpty()) {
      return;
    }
    Thread thread = new Thread(new Runnable() {
      @Override
      public void run() {
        Either<StoreFailure, OpenStore> opened;
        try {
          opened = openThroughHelper(config, timeout, deadline);
        } catch (RuntimeException | LinkageError e) { // a driver that cannot start (its native library) fails open
          opened = Either.left(new StoreFailure(null, "use the database", "its driver did not start ("
              + e.getClass().getSimpleName() + ")"));
        }
        synchronized (OpenStore.class) {
          openedAhead = opened;
        }
        deadline.opened();
      }
    }, "session-lock-store");
    thread.setDaemon(true);
    synchronized (OpenStore.class) {
      opener = thread;
    }
    thread.start();
  }

  /**
   * The database store through its resident helper ({@link ResidentStore}) when one answers; else the database
   * opened here, and a helper started for the next calls. {@code SESSION_LOCK_HELPER=off}, or a run directory others
   * may enter, leaves every call opening the database itself.
   */
  private static Either<StoreFailure, OpenStore> openThroughHelper(HookConfig config, Duration timeout,
      HookDeadline deadline) {
    java.util.Map<String, String> env = config.storeCredentials();
    String url = config.store().get();
    if (!HelperPaths.enabled(env)) {
      return DatabaseStore.open(config, timeout);
    }
    HelperPaths paths = HelperPaths.of(env, url);
    if (paths.secure() != null) {
      return DatabaseStore.open(config, timeout);
    }
    ResidentStore remote = ResidentStore.connect(paths.socket(), new DirectPath() {
      @Override
      public Either<StoreFailure, DirectPath.Direct> open() {
        deadline.reopening();
        Either<StoreFailure, OpenStore> direct;
        try {
          direct = DatabaseStore.open(config, timeout);
        } catch (RuntimeException | LinkageError e) {
          direct = Either.left(new StoreFailure(null, "use the database", "its driver did not start ("
              + e.getClass().getSimpleName() + ")"));
        }
        deadline.opened();
        if (direct.isLeft()) {
          return Either.left(direct.getLeft());
        }
        OpenStore store = direct.get();
        return Either.right(new DirectPath.Direct(store.store(), store.index(),
            store.clock().isDefined() ? store.clock().get() : null));
      }
    }, url.indexOf('?') >= 0 ? url.substring(0, url.indexOf('?')) : url);
    if (remote != null) {
      return Either.right(new OpenStore(remote, remote,
          config.databaseClock() ? Option.some(remote.databaseClock()) : Option.none(), Option.none(),
          remote.description()));
    }
    Helpers.start(paths, env.get("SESSION_LOCK_LAUNCHER"));
    return DatabaseStore.open(config, timeout);
  }

  /** Opens the configured store; a database connects within {@code timeout}. */
  public static Either<StoreFailure, OpenStore> open(HookConfig config, Duration timeout) {
    Thread ahead;
    synchronized (OpenStore.class) {
      ahead = opener;
      opener = null;
    }
    if (ahead != null) {
      try {
        ahead.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Either.left(new StoreFailure(null, "use the lock store", "interrupted while it opened"));
      }
      synchronized (OpenStore.class) {
        Either<StoreFailure, OpenStore> opened = openedAhead;
        openedAhead = null;
        return opened;
      }
    }
    if (config.storeProblem().isDefined()) {
      return Either.left(new StoreFailure(null, "use the lock store", config.storeProblem().get()));
    }
    if (config.store().isDefined()) {
      return DatabaseStore.open(config, timeout);
    }
    Either<StoreFailure, FileLockStore> files = FileLockStore.open(config.lockDir(), false, timeout);
    if (files.isLeft()) {
      return Either.left(files.getLeft());
    }
    return Either.right(new OpenStore(files.get(), FileHolderIndex.of(files.get()), Option.none(),
        Option.some(files.get()), files.get().directory().toString()));
  }

  /** The protocol over this store, judged by the database's clock when configured, else {@code local}. */
  public ParallelSessionLock lock(Clock local, Duration ttl) {
    return ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), clock.isDefined() ? clock.get() : local)
        .withTtl(ttl);
  }

  public FileLocks fileLocks(Clock local, Duration ttl) {
    return FileLocks.of(lock(local, ttl), store, index);
  }

  /**
   * File locks over this store for a caller that acquires several files: this process (a hook or a command, not
   * the agent) is the writer named by the intent record, so that a crash half-way is recognised the moment it dies.
   */
  public FileLocks fileLocksWrittenHere(Clock local, Duration ttl) {
    return fileLocks(local, ttl).withWriter(LocalProcesses.current());
  }

  /** The workspace lease, one namespace with the file locks. */
  WorkspaceLease workspaceLease(Clock local, Duration ttl) {
    return WorkspaceLease.of(FileLocks.of(lock(local, ttl), store, index));
  }
}
