package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;

/**
 * What a record read from a store may say: what the tool itself would write, whatever wrote it (a hand edit, another
 * tool, a host with a broken clock). {@link ParallelSessionLock} judges every slot it reads through {@link #bound},
 * so every store gets the same bounds, and shows what it judged. Pure: the clock is given.
 *
 * <ul>
 *   <li>A ttl longer than {@link #maxTtl} (a day, the most {@code SESSION_LOCK_TTL_MS} and {@code --ttl} take, or
 *       the lock's own ttl when that is longer) is read as that: {@code ttl_ms: 9223372036854775807} locks for a day
 *       at most, not for 292 million years.</li>
 *   <li>A lease that starts more than {@link #MAX_AHEAD} ahead of the clock counts as run out (read as having started
 *       one ttl ago). Within that allowance (clock skew between hosts that share a store, a clock step) it is
 *       honoured. No bound relative to the clock could be kept: "at most five minutes from now" would move with the
 *       clock and never end.</li>
 *   <li>A {@code held_since} more than {@link #MAX_AHEAD} ahead is read as the lease's start.</li>
 *   <li>Unreadable bytes whose modification time is more than {@link #MAX_AHEAD} ahead count as free, rather than as
 *       held until that time.</li>
 * </ul>
 *
 * <p>A record read through these bounds carries a note in {@link LockRecord.Details#clamped()} (an unreadable slot
 * in its problem), for every place that shows it to people; the note is never stored. The holder's next renewal
 * writes the bounded values.
 *
 * <p>Runs on the hook path: no lambdas, no vavr collections.
 */
public final class RecordBounds {

  /** The longest lease the tool writes. */
  public static final Duration MAX_TTL = Duration.ofDays(1);

  /** How far ahead of the clock a record's times may be and still count as written. */
  public static final Duration MAX_AHEAD = Duration.ofMinutes(5);

  private RecordBounds() {}

  /** The longest ttl a record may have under a lock whose own ttl is {@code lockTtl}: a day, or that when longer. */
  public static Duration maxTtl(Duration lockTtl) {
    return lockTtl.compareTo(MAX_TTL) > 0 ? lockTtl : MAX_TTL;
  }

  /** {@code slot} as the protocol judges it at {@code now}; the same instance when it is within bounds. */
  public static Option<Slot> bound(Option<Slot> slot, Instant now, Duration maxTtl) {
    if (slot.isEmpty()) {
      return slot;
    }
    Slot bounded = bound(slot.get(), now, maxTtl);
    return bounded == slot.get() ? slot : Option.some(bounded);
  }

  /** {@code slot} as the protocol judges it at {@code now}; the same instance when it is within bounds. */
  public static Slot bound(Slot slot, Instant now, Duration maxTtl) {
    Instant latest = now.plus(MAX_AHEAD);
    if (slot instanceof Slot.Unreadable unreadable) {
      if (!unreadable.modifiedAt().isAfter(latest)) {
        return slot;
      }
      return new Slot.Unreadable(slot.key(), slot.version(), now.minus(maxTtl), unreadable.problem()
          + "; modified at " + unreadable.modifiedAt() + ", in the future: counted as free", unreadable.size());
    }
    LockRecord record = ((Slot.Held) slot).record();
    LockRecord bounded = bound(record, now, maxTtl);
    return bounded == record ? slot : new Slot.Held(slot.key(), slot.version(), bounded);
  }

  /** {@code record} as the protocol judges it at {@code now}; the same instance when it is within bounds. */
  public static LockRecord bound(LockRecord record, Instant now, Duration maxTtl) {
    Instant latest = now.plus(MAX_AHEAD);
    boolean ttlTooLong = record.ttl().compareTo(maxTtl) > 0;
    boolean startsAhead = record.acquiredAt().isAfter(latest);
    boolean heldAhead = record.heldSince().isAfter(latest);
    if (!ttlTooLong && !startsAhead && !heldAhead) {
      return record;
    }
    StringBuilder note = new StringBuilder();
    Duration ttl = record.ttl();
    if (ttlTooLong) {
      ttl = maxTtl;
      note.append("ttl ").append(record.ttl().toMillis()).append(" ms read as ")
          .append(maxTtl.equals(MAX_TTL) ? "a day, the longest lease" : maxTtl.toMillis() + " ms, the longest lease");
    }
    Instant acquiredAt = record.acquiredAt();
    if (startsAhead) {
      acquiredAt = now.minus(ttl);
      note.append(note.length() == 0 ? "" : "; ").append("lease start ").append(record.acquiredAt())
          .append(" is in the future: counted as run out");
    }
    Instant heldSince = record.heldSince();
    if (heldAhead) {
      heldSince = acquiredAt;
      note.append(note.length() == 0 ? "" : "; ").append("held since ").append(record.heldSince())
          .append(" is in the future: read as the lease start");
    }
    return new LockRecord(record.schemaVersion(), record.sessionId(), record.holder(), acquiredAt, ttl, heldSince,
        record.generation(), record.details().withClamped(Option.some(note.toString())));
  }
}
