package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;

/**
 * The hook's decision, as a pure function. It blocks on a {@link Acquisition.Blocked} result naming a holder
 * other than the caller, and on {@link LockFailure.Contended}: the store works, and rivals were writing the same
 * lock at the same moment through every try, so one of them is taking it; allowing then would let a second writer
 * in, and a denial only costs a retry. A missing result, a store failure, the caller's own other call still taking
 * the lock ({@link LockFailure.Busy}), or anything it does not understand allows, with a warning. A lock tool that locks a user out of their own session on an internal error does more
 * harm than the collision it prevents.
 */
public final class FailOpen {

  /** Why a block names the caller's own session id: it runs in another live process too. */
  public static final String SAME_SESSION_ELSEWHERE = "the same session id runs in another live process (resumed in a "
      + "second terminal?); only one of them may edit";

  /** How a denial for contention starts: the lock is busy, not held against the caller for long. */
  public static final String BUSY = "parallel session lock busy, nothing was changed: ";

  private FailOpen() {}

  /**
   * Decides at time {@code now} whether {@code sessionId} may proceed.
   *
   * @param result the acquire result; {@code null} (the acquire never ran) allows
   * @param caller who asked; a block never names the caller's own lease (same session in the same process,
   *     or the very same process), but does name the same session id running in another live process
   */
  public static Decision decide(Either<LockFailure, Acquisition> result, Claimant caller, Instant now) {
    if (result == null) {
      return allowWithWarning("no lock result (internal error); allowing");
    }
    if (result.isLeft()) {
      LockFailure failure = result.getLeft();
      if (failure instanceof LockFailure.Contended contended) {
        return new Decision.Block(BUSY + contended.describe());
      }
      return allowWithWarning("session lock unavailable, allowing: "
          + (failure == null ? "unknown failure" : failure.describe()));
    }
    Acquisition acquisition = result.get();
    if (!(acquisition instanceof Acquisition.Blocked)) {
      return new Decision.Allow(Option.none());
    }
    Acquisition.Blocked blocked = (Acquisition.Blocked) acquisition;
    Option<LockRecord> holder = blocked.holder() == null ? Option.none() : blocked.holder();
    boolean sameSession = holder.isDefined() && caller != null && holder.get().sessionId().equals(caller.sessionId());
    if (holder.isDefined() && caller != null
        && (caller.isSameProcessAs(holder.get()) || caller.isOwnSessionOf(holder.get()))) {
      return allowWithWarning("lock result named the caller as a rival holder; allowing");
    }
    String wait = blocked.freeAt() == null || now == null ? "" : ", lease ends in " + human(Duration.between(now, blocked.freeAt()));
    String who = holder.isDefined()
        ? "held by " + holder.get().sessionId() + " (pid " + holder.get().pid() + ")"
        : "held by an unreadable lock record (pid unknown)";
    String twin = sameSession ? ": " + SAME_SESSION_ELSEWHERE : "";
    String clamped = holder.isDefined() && holder.get().details().clamped().isDefined()
        ? " (record clamped: " + holder.get().details().clamped().get() + ")" : "";
    return new Decision.Block("parallel session lock " + who + twin + " - wait or close that session first" + wait
        + clamped);
  }

  private static Decision allowWithWarning(String warning) {
    return new Decision.Allow(Option.some(warning));
  }

  /** {@code 4m12s}, {@code 9s}; never negative. */
  static String human(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    return seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60) + "s" : seconds + "s";
  }
}
