package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Locks on single files of a workspace, for agent sessions and plan tasks in one namespace: the lock protocol of
 * {@link ParallelSessionLock} under {@link LockKey#file} keys, nothing else. A file is held by at most one holder
 * of either kind; the ownership rules (the same session, a task and the session it was taken from) are
 * {@link Claimant}'s.
 *
 * <ul>
 *   <li>{@link #acquire}: all or nothing. Every file is tried; when one is held by another holder, each file this
 *       call took is released again and the answer names every held file and its holder.</li>
 *   <li>{@link #release}, {@link #releaseAll}: only the caller's own locks; {@link #releaseAll} finds them through
 *       the {@link HolderIndex}, or by reading every file lock when asked to scan.</li>
 * </ul>
 *
 * <p>Runs on the hook path: no lambdas and no vavr collections (HookStartupIT).
 */
public final class FileLocks {

  /**
   * One file: the workspace it belongs to and its canonical path (the adapter resolves symlinks and {@code ..};
   * this type only uses the string).
   */
  public record LockedFile(WorkspaceHash workspace, String path) {
    public LockedFile {
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(path, "path");
    }

    public LockKey key() {
      return LockKey.file(workspace, path);
    }
  }

  private final ParallelSessionLock lock;
  private final LockStore store;
  private final HolderIndex index;

  private FileLocks(ParallelSessionLock lock, LockStore store, HolderIndex index) {
    this.lock = Objects.requireNonNull(lock, "lock");
    this.store = Objects.requireNonNull(store, "store");
    this.index = Objects.requireNonNull(index, "index");
  }

  /** File locks over {@code lock}, which runs on {@code store}; {@code index} finds a holder's files. */
  public static FileLocks of(ParallelSessionLock lock, LockStore store, HolderIndex index) {
    return new FileLocks(lock, store, index);
  }

  public ParallelSessionLock lock() {
    return lock;
  }

  /**
   * Takes or renews every file in {@code files} for {@code claimant} for {@code ttl}, or none of them. Files are
   * taken in key order, so two callers that want overlapping sets meet on the same first file.
   */
  public Either<LockFailure, FileAcquisition> acquire(List<LockedFile> files, Claimant claimant, Duration ttl) {
    Map<LockKey, LockedFile> byKey = byKey(files);
    List<Acquisition.Acquired> acquired = new ArrayList<>();
    List<Acquisition.Blocked> blocked = new ArrayList<>();
    for (Map.Entry<LockKey, LockedFile> file : byKey.entrySet()) {
      LockKey key = file.getKey();
      // Intent first: the index names every key the holder may hold, even after a crash right after the write.
      Either<StoreFailure, LockKey> noted = index.add(claimant.sessionId(), key);
      if (noted.isLeft()) {
        rollBack(acquired, claimant);
        return Either.left(new LockFailure.StoreUnavailable(noted.getLeft()));
      }
      Either<LockFailure, Acquisition> result = lock.acquire(key, claimant, ttl, Option.some(file.getValue().path()));
      if (result.isLeft()) {
        rollBack(acquired, claimant);
        forget(claimant, key);
        return Either.left(result.getLeft());
      }
      if (result.get() instanceof Acquisition.Acquired got) {
        acquired.add(got);
      } else {
        blocked.add((Acquisition.Blocked) result.get());
        forget(claimant, key);
      }
    }
    if (!blocked.isEmpty()) {
      rollBack(acquired, claimant);
      return Either.right(new FileAcquisition.Blocked(blocked));
    }
    return Either.right(new FileAcquisition.Acquired(acquired));
  }

  /** Renews the caller's locks on {@code files} (after a tool wrote them); files it does not hold are left alone. */
  public Either<LockFailure, List<Refresh>> refresh(List<LockedFile> files, Claimant claimant) {
    List<Refresh> refreshed = new ArrayList<>();
    for (LockKey key : byKey(files).keySet()) {
      Either<LockFailure, Refresh> result = lock.refresh(key, claimant);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      if (result.get() instanceof Refresh.Refreshed done && done.record().sessionId().equals(claimant.sessionId())) {
        // A task that refreshes its session's lock adopts it: the index must name it for releaseAll.
        index.add(claimant.sessionId(), key);
      }
      refreshed.add(result.get());
    }
    return Either.right(List.copyOf(refreshed));
  }

  /** Releases the caller's own locks on {@code files}; another holder's stay. */
  public Either<LockFailure, List<Release>> release(List<LockedFile> files, Claimant claimant) {
    return releaseKeys(new ArrayList<>(byKey(files).keySet()), claimant);
  }

  /**
   * Releases every file lock of the caller: the keys its index names, and with {@code scan} also every file lock
   * in the store whose record names the caller (for records an older version wrote without an index entry).
   * Only {@link Release.Released} outcomes are returned.
   */
  public Either<LockFailure, List<Release.Released>> releaseAll(Claimant claimant, boolean scan) {
    Either<StoreFailure, List<LockKey>> indexed = index.keys(claimant.sessionId());
    if (indexed.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(indexed.getLeft()));
    }
    List<LockKey> keys = new ArrayList<>(indexed.get());
    if (scan) {
      Either<StoreFailure, io.vavr.collection.List<Slot>> all = store.list(LockKey.FILE_PREFIX);
      if (all.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(all.getLeft()));
      }
      for (Slot slot : all.get()) {
        if (slot instanceof Slot.Held held && held.record().sessionId().equals(claimant.sessionId())
            && !keys.contains(slot.key())) {
          keys.add(slot.key());
        }
      }
    }
    Either<LockFailure, List<Release>> released = releaseKeys(keys, claimant);
    if (released.isLeft()) {
      return Either.left(released.getLeft());
    }
    List<Release.Released> freed = new ArrayList<>();
    for (Release release : released.get()) {
      if (release instanceof Release.Released done) {
        freed.add(done);
      }
    }
    return Either.right(List.copyOf(freed));
  }

  /** For a person: removes the lock on {@code file}, whoever holds it, and returns what was there. */
  public Either<LockFailure, Option<Slot>> forceRelease(LockedFile file) {
    Either<LockFailure, Option<Slot>> removed = lock.forceRelease(file.key());
    if (removed.isRight() && removed.get().isDefined() && removed.get().get() instanceof Slot.Held held) {
      index.remove(held.record().sessionId(), file.key());
    }
    return removed;
  }

  /** Every file lock of {@code workspace}, or of every workspace, as people see them. */
  public Either<LockFailure, io.vavr.collection.List<LockStatus>> list(Option<WorkspaceHash> workspace) {
    return lock.list(workspace.isDefined() ? LockKey.filePrefix(workspace.get()) : LockKey.FILE_PREFIX);
  }

  /**
   * The file locks of {@code workspace} that would stop {@code claimant} now: held by another holder (not the
   * claimant, not a task of its session), lease running, holder not provably dead. What a command that rewrites
   * the whole work tree must wait for.
   */
  public Either<LockFailure, List<LockStatus.Held>> rivals(WorkspaceHash workspace, Claimant claimant) {
    return lock.blocking(LockKey.filePrefix(workspace), claimant).map(io.vavr.collection.List::asJava);
  }

  private Either<LockFailure, List<Release>> releaseKeys(List<LockKey> keys, Claimant claimant) {
    Collections.sort(keys);
    List<Release> released = new ArrayList<>();
    for (LockKey key : keys) {
      Either<LockFailure, Release> result = lock.release(key, claimant);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      Release release = result.get();
      if (release instanceof Release.Released || !heldBy(release, claimant)) {
        forget(claimant, key);
      }
      released.add(release);
    }
    return Either.right(List.copyOf(released));
  }

  /** Whether the caller still holds the key after a release it was refused (it renews it but may not free it). */
  private static boolean heldBy(Release release, Claimant claimant) {
    Release.NotHolder notHolder = (Release.NotHolder) release;
    return notHolder.current().isDefined() && notHolder.current().get() instanceof Slot.Held held
        && held.record().sessionId().equals(claimant.sessionId());
  }

  /** Releases what this call newly took (a renewal was the caller's before and stays). */
  private void rollBack(List<Acquisition.Acquired> acquired, Claimant claimant) {
    for (Acquisition.Acquired got : acquired) {
      if (got.how() != Acquisition.How.RENEWED) {
        lock.release(got.key(), claimant, got.record().generation());
        forget(claimant, got.key());
      }
    }
  }

  private void forget(Claimant claimant, LockKey key) {
    index.remove(claimant.sessionId(), key); // a leftover entry only costs a release that finds nothing
  }

  private static Map<LockKey, LockedFile> byKey(List<LockedFile> files) {
    List<LockedFile> sorted = new ArrayList<>(files);
    sorted.sort(ByKey.INSTANCE);
    Map<LockKey, LockedFile> byKey = new LinkedHashMap<>();
    for (LockedFile file : sorted) {
      byKey.putIfAbsent(file.key(), file);
    }
    return byKey;
  }

  /** By key, without a lambda. */
  private enum ByKey implements java.util.Comparator<LockedFile> {
    INSTANCE;

    @Override
    public int compare(LockedFile a, LockedFile b) {
      return a.key().compareTo(b.key());
    }
  }
}
