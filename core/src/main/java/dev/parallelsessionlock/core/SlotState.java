package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;

/**
 * The protocol's transition table: every state a slot can be in, as seen by one claimant at one instant,
 * and the step each operation takes from it. {@link ParallelSessionLock} classifies, looks the step up here,
 * and carries it out with a conditional write. Nothing else decides.
 *
 * <pre>
 * state              acquire                     refresh     release
 * ABSENT             create (NEW)                not holder  not holder
 * OWN                replace (RENEWED)           replace     delete
 * FOREIGN_FRESH      block                       not holder  not holder
 * FOREIGN_STALE      replace (TOOK_OVER_STALE)   not holder  not holder
 * FOREIGN_DEAD       replace (TOOK_OVER_DEAD)    not holder  not holder
 * UNREADABLE_FRESH   block                       not holder  not holder
 * UNREADABLE_STALE   replace (TOOK_OVER_UNREAD.) not holder  not holder
 * </pre>
 */
enum SlotState {
  /** Nothing stored. */
  ABSENT(Step.CREATE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.NEW)),
  /** The claimant holds it (same session, or same agent process), fresh or not. */
  OWN(Step.REPLACE, Step.REPLACE, Step.DELETE, Option.some(Acquisition.How.RENEWED)),
  /** Another holder, lease running, process alive or unknown. */
  FOREIGN_FRESH(Step.BLOCK, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.none()),
  /** Another holder whose lease has run out. */
  FOREIGN_STALE(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_STALE)),
  /** Another holder whose process is provably gone, lease or not. */
  FOREIGN_DEAD(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_DEAD_HOLDER)),
  /** Unreadable bytes written less than one ttl ago: an unknown holder may be working. */
  UNREADABLE_FRESH(Step.BLOCK, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.none()),
  /** Unreadable bytes older than one ttl. */
  UNREADABLE_STALE(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_UNREADABLE));

  /** What an operation does from a state. */
  enum Step { CREATE, REPLACE, DELETE, BLOCK, NOT_HOLDER }

  final Step onAcquire;
  final Step onRefresh;
  final Step onRelease;
  /** How an acquire from this state is reported, for states that acquire. */
  final Option<Acquisition.How> acquiredAs;

  SlotState(Step onAcquire, Step onRefresh, Step onRelease, Option<Acquisition.How> acquiredAs) {
    this.onAcquire = onAcquire;
    this.onRefresh = onRefresh;
    this.onRelease = onRelease;
    this.acquiredAs = acquiredAs;
  }

  /**
   * Classifies {@code current} for {@code claimant} at {@code now}. The liveness probe runs only for a fresh
   * foreign lease, the one case where its answer matters. {@code unreadableTtl} is how long unreadable bytes
   * count as held.
   */
  static SlotState classify(
      Option<Slot> current, Claimant claimant, Instant now, ProcessLiveness liveness, Duration unreadableTtl) {
    if (current.isEmpty()) {
      return ABSENT;
    }
    Slot slot = current.get();
    if (slot instanceof Slot.Unreadable) {
      Slot.Unreadable unreadable = (Slot.Unreadable) slot;
      return now.isBefore(unreadable.modifiedAt().plus(unreadableTtl)) ? UNREADABLE_FRESH : UNREADABLE_STALE;
    }
    LockRecord record = ((Slot.Held) slot).record();
    if (claimant.owns(record)) {
      return OWN;
    }
    if (record.isStaleAt(now)) {
      return FOREIGN_STALE;
    }
    return liveness.of(record.holder()) == Liveness.DEAD ? FOREIGN_DEAD : FOREIGN_FRESH;
  }
}
