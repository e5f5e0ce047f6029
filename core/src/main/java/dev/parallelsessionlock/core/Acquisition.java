package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Instant;

/** The two expected outcomes of {@link ParallelSessionLock#acquire}. */
public sealed interface Acquisition {

  LockKey key();

  /**
   * The caller holds the lease now.
   *
   * @param record the lease as written
   * @param how why the caller could take it
   * @param previous the record it replaced, when one was readable (for {@link How#RENEWED}, the caller's own)
   */
  record Acquired(LockKey key, LockRecord record, How how, Option<LockRecord> previous) implements Acquisition {}

  /**
   * Another holder's lease is fresh; nothing was written.
   *
   * @param holder the holder's record, or none when the stored bytes are unreadable
   * @param freeAt when the lease ends unless its holder renews it
   */
  record Blocked(LockKey key, Option<LockRecord> holder, Instant freeAt) implements Acquisition {}

  /** Why an acquire succeeded; one value per row of {@link SlotState} that acquires. */
  enum How {
    /** No lock existed. */
    NEW,
    /** The caller already held it; the lease was renewed (idempotent re-acquire). */
    RENEWED,
    /** Another holder's lease had run past its ttl. */
    TOOK_OVER_STALE,
    /** Another holder's process is provably dead. */
    TOOK_OVER_DEAD_HOLDER,
    /** Unreadable bytes older than one ttl; the store kept them aside. */
    TOOK_OVER_UNREADABLE
  }
}
