package dev.parallelsessionlock.core;

import java.time.Instant;

/**
 * What a {@link LockStore} holds under one key, as read, together with the version the store needs to tell
 * whether it changed since. Versions are opaque to the protocol: it only hands a slot back to the store as
 * the {@code expected} argument of a conditional write.
 */
public sealed interface Slot {

  LockKey key();

  /** Store-defined token; equal tokens mean the slot has not changed between two reads. */
  long version();

  /** A readable lease. */
  record Held(LockKey key, long version, LockRecord record) implements Slot {}

  /**
   * Bytes that are not a lease (truncated, garbage, unknown schema). Counted as held by an unknown holder
   * until {@code modifiedAt} is one ttl old, or, when there are no bytes at all, a few seconds old (see
   * {@link SlotState}); a store that replaces or deletes it keeps the bytes aside.
   *
   * @param size how many bytes are stored; 0 for an empty record
   */
  record Unreadable(LockKey key, long version, Instant modifiedAt, String problem, long size) implements Slot {

    /** Unreadable bytes of unknown size. */
    public Unreadable(LockKey key, long version, Instant modifiedAt, String problem) {
      this(key, version, modifiedAt, problem, -1);
    }
  }
}
