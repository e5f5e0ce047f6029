package dev.parallelsessionlock.core;

import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LockStore} in a concurrent map, for one process: embedding tools' tests, and the reference for
 * the contract suite. Every write gets a fresh version from one counter, so a slot never looks unchanged
 * after it changed (no ABA). Unreadable slots it replaces or deletes are kept in {@link #keptAside()}.
 */
public final class InMemoryLockStore implements LockStore {

  private final ConcurrentMap<LockKey, Slot> slots = new ConcurrentHashMap<>();
  private final ConcurrentMap<Long, Slot.Unreadable> keptAside = new ConcurrentHashMap<>();
  private final AtomicLong versions = new AtomicLong();

  @Override
  public Either<StoreFailure, Option<Slot>> read(LockKey key) {
    return Either.right(Option.of(slots.get(key)));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    Slot fresh = new Slot.Held(key, versions.incrementAndGet(), record);
    return Either.right(slots.putIfAbsent(key, fresh) == null ? WriteOutcome.WRITTEN : WriteOutcome.CONFLICT);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    Slot fresh = new Slot.Held(expected.key(), versions.incrementAndGet(), next);
    boolean replaced = slots.replace(expected.key(), expected, fresh);
    keepAsideIfUnreadable(expected, replaced);
    return Either.right(replaced ? WriteOutcome.WRITTEN : WriteOutcome.CONFLICT);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    boolean removed = slots.remove(expected.key(), expected);
    keepAsideIfUnreadable(expected, removed);
    return Either.right(removed ? WriteOutcome.WRITTEN : WriteOutcome.CONFLICT);
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    return Either.right(List.ofAll(slots.values()).sortBy(Slot::key));
  }

  /** Stores unreadable bytes under {@code key}, as a crashed or foreign writer might leave them. */
  public void putUnreadable(LockKey key, Instant modifiedAt, String problem) {
    putUnreadable(key, modifiedAt, problem, -1);
  }

  /** Stores {@code size} unreadable bytes under {@code key} (0: an empty record, as a crash without fsync leaves). */
  public void putUnreadable(LockKey key, Instant modifiedAt, String problem, long size) {
    slots.put(key, new Slot.Unreadable(key, versions.incrementAndGet(), modifiedAt, problem, size));
  }

  /** Unreadable slots that a replace or delete moved out of the way, oldest first. */
  public List<Slot.Unreadable> keptAside() {
    return List.ofAll(keptAside.values()).sortBy(Slot::version);
  }

  private void keepAsideIfUnreadable(Slot expected, boolean changed) {
    if (changed && expected instanceof Slot.Unreadable) {
      keptAside.put(expected.version(), (Slot.Unreadable) expected);
    }
  }
}
