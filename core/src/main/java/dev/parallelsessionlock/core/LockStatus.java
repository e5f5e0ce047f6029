package dev.parallelsessionlock.core;

import java.time.Duration;
import java.time.Instant;

/** What a person sees of one lock: {@link ParallelSessionLock#status} and {@link ParallelSessionLock#list}. */
public sealed interface LockStatus {

  LockKey key();

  /** Nothing is stored under the key. */
  record Free(LockKey key) implements LockStatus {}

  /**
   * A readable lease.
   *
   * @param liveness the holder process as probed now
   * @param age time since the holder first acquired it
   * @param remaining time left on the lease (zero when stale)
   */
  record Held(LockKey key, LockRecord record, Liveness liveness, Duration age, Duration remaining)
      implements LockStatus {

    /** Whether another session could take it over now. */
    public boolean takeable() {
      return remaining.isZero() || liveness == Liveness.DEAD;
    }
  }

  /** Unreadable bytes, counted as held until {@code freeAt}. */
  record Unreadable(LockKey key, Instant modifiedAt, String problem, Instant freeAt) implements LockStatus {}
}
