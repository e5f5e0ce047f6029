package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceLease;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
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

  /** Opens the configured store; a database connects within {@code timeout}. */
  public static Either<StoreFailure, OpenStore> open(HookConfig config, Duration timeout) {
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
