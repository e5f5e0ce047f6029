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
 * state              acquire                     refresh     release     generation on acquire
 * ABSENT             create (NEW)                not holder  not holder  new
 * OWN                replace (RENEWED)           replace     delete      kept
 * OWN_PROCESS        replace (RENEWED)           replace     not holder  kept
 * BOUND_TASK         heartbeat (RENEWED)         heartbeat   not holder  kept
 * FOREIGN_FRESH      block                       not holder  not holder  -
 * FOREIGN_STALE      replace (TOOK_OVER_STALE)   not holder  not holder  next
 * FOREIGN_DEAD       replace (TOOK_OVER_DEAD)    not holder  not holder  next
 * UNREADABLE_FRESH   block                       not holder  not holder  -
 * UNREADABLE_STALE   replace (TOOK_OVER_UNREAD.) not holder  not holder  new
 * </pre>
 */
enum SlotState {
  /** Nothing stored. */
  ABSENT(Step.CREATE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.NEW)),
  /** The claimant's session holds it: its own process, or one that is gone or cannot be probed. */
  OWN(Step.REPLACE, Step.REPLACE, Step.DELETE, Option.some(Acquisition.How.RENEWED)),
  /**
   * The claimant's very agent process holds it under another session id ({@code /clear}, resume, compaction).
   * It may renew, but only the session id in the record may release.
   */
  OWN_PROCESS(Step.REPLACE, Step.REPLACE, Step.NOT_HOLDER, Option.some(Acquisition.How.RENEWED)),
  /**
   * A task's lock that the claiming session may use: the task was taken from this session or its agent process.
   * Acquire and refresh renew the task's record as it is (a heartbeat, the holder stays the task); only the task
   * releases it.
   */
  BOUND_TASK(Step.HEARTBEAT, Step.HEARTBEAT, Step.NOT_HOLDER, Option.some(Acquisition.How.RENEWED)),
  /** Another holder (or the same session id in another live process), lease running, process alive or unknown. */
  FOREIGN_FRESH(Step.BLOCK, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.none()),
  /** Another holder whose lease has run out. */
  FOREIGN_STALE(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_STALE)),
  /** Another holder whose process is provably gone, lease or not. */
  FOREIGN_DEAD(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_DEAD_HOLDER)),
  /** Unreadable bytes written less than one ttl ago (an empty record: a few seconds): a holder may be working. */
  UNREADABLE_FRESH(Step.BLOCK, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.none()),
  /** Unreadable bytes older than one ttl, or an empty record older than {@link #EMPTY_RECORD_GRACE}. */
  UNREADABLE_STALE(Step.REPLACE, Step.NOT_HOLDER, Step.NOT_HOLDER, Option.some(Acquisition.How.TOOK_OVER_UNREADABLE));

  /**
   * How long an empty record counts as held. Records are written by atomic rename, so an empty one is never a
   * write of this library in progress: it is what a crash without fsync leaves (the rename reached the disk,
   * the bytes did not), and it would otherwise lock its own writer out for a whole ttl. The few seconds cover
   * a foreign writer that truncates and then writes in place.
   */
  static final Duration EMPTY_RECORD_GRACE = Duration.ofSeconds(5);

  /** What an operation does from a state. */
  enum Step {
    CREATE, REPLACE, DELETE, BLOCK, NOT_HOLDER,
    /** Replace the record by itself with a new lease start: the holder, its details and generation stay. */
    HEARTBEAT
  }

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

  /** Whether an acquire from this state grants the lease to the caller as a new holder. */
  boolean grantsToNewHolder() {
    return this == ABSENT || this == FOREIGN_STALE || this == FOREIGN_DEAD || this == UNREADABLE_STALE;
  }

  /**
   * Classifies {@code current} for {@code claimant} at {@code now}. The liveness probe runs only where its
   * answer matters: a fresh foreign lease, and the same session id recorded for another process.
   * {@code unreadableTtl} is how long unreadable bytes count as held.
   */
  static SlotState classify(
      Option<Slot> current, Claimant claimant, Instant now, ProcessLiveness liveness, Duration unreadableTtl) {
    if (current.isEmpty()) {
      return ABSENT;
    }
    Slot slot = current.get();
    if (slot instanceof Slot.Unreadable unreadable) {
      return now.isBefore(unreadableFreeAt(unreadable, unreadableTtl)) ? UNREADABLE_FRESH : UNREADABLE_STALE;
    }
    LockRecord record = ((Slot.Held) slot).record();
    if (claimant.isOwnSessionOf(record)) {
      return OWN;
    }
    if (claimant.mayUseTaskLock(record)) {
      return BOUND_TASK;
    }
    if (claimant.mayAdoptSessionLock(record)) {
      return OWN_PROCESS;
    }
    boolean sessions = !claimant.isTask() && !record.details().isTask();
    Liveness holder = null;
    if (sessions && claimant.sessionId().equals(record.sessionId())) {
      holder = liveness.of(record.holder());
      if (holder != Liveness.ALIVE) {
        return OWN; // the session came back in a new process; the old one is gone or cannot be told
      }
      // The same session id in another live process: two processes are never one owner.
    } else if (sessions && claimant.isSameProcessAs(record)) {
      return OWN_PROCESS;
    }
    if (record.isStaleAt(now)) {
      return FOREIGN_STALE;
    }
    if (holder == null) {
      holder = liveness.of(record.holder());
    }
    return holder == Liveness.DEAD ? FOREIGN_DEAD : FOREIGN_FRESH;
  }

  /** When unreadable bytes stop counting as held. */
  static Instant unreadableFreeAt(Slot.Unreadable unreadable, Duration unreadableTtl) {
    Duration grace = unreadable.size() == 0 && EMPTY_RECORD_GRACE.compareTo(unreadableTtl) < 0
        ? EMPTY_RECORD_GRACE : unreadableTtl;
    return unreadable.modifiedAt().plus(grace);
  }
}
