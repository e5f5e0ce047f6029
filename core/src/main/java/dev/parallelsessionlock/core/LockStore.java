package dev.parallelsessionlock.core;

import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;

/**
 * The storage port. Every write is conditional and atomic with respect to every other writer of the same
 * store, including writers in other processes: a write either takes effect whole or reports
 * {@link WriteOutcome#CONFLICT} and changes nothing. That is all the protocol needs to make a stale takeover
 * safe; the protocol itself lives once, in {@link ParallelSessionLock}.
 *
 * <p>Implementations run the testkit module's suites ({@code LockStoreContract}, the model-based properties, the
 * process-death harness). Failures (I/O, permissions) are {@code Left}; nothing here throws for an expected outcome.
 */
public interface LockStore {

  /** The slot under {@code key}, or none. */
  Either<StoreFailure, Option<Slot>> read(LockKey key);

  /** Stores {@code record} under {@code key} only if the key holds nothing. */
  Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record);

  /**
   * Replaces {@code expected} by {@code next} only if the slot is still the one read (same version). An
   * {@link Slot.Unreadable} slot that is replaced must be kept aside by the store, not dropped.
   */
  Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next);

  /** Removes {@code expected} only if the slot is still the one read. Unreadable bytes are kept aside. */
  Either<StoreFailure, WriteOutcome> delete(Slot expected);

  /** Every slot in the store, ordered by key. */
  Either<StoreFailure, List<Slot>> list();

  /**
   * The slots whose key starts with {@code keyPrefix}, ordered by key. A store that can select by name before it
   * reads (a directory listing, an index) overrides this.
   */
  default Either<StoreFailure, List<Slot>> list(String keyPrefix) {
    return list().map(slots -> slots.filter(slot -> slot.key().name().startsWith(keyPrefix)));
  }

  /**
   * {@link #list(String)} as a {@code java.util} list, for the hook path, which loads no vavr collection and no
   * lambda: the stores the hook runs on (the lock directory) override this with plain loops.
   */
  default Either<StoreFailure, java.util.List<Slot>> slots(String keyPrefix) {
    return list(keyPrefix).map(List::asJava);
  }
}
