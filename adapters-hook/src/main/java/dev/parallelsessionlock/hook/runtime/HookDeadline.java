package dev.parallelsessionlock.hook.runtime;

import java.time.Duration;

/**
 * When the hook must have answered, shared by the hook and the watchdog of {@code SessionLockMain}. A tool call
 * must be decided by the deadline, or it is allowed (fail-open). Releasing a session's locks at the end of a turn or
 * session decides nothing (its answer is always "allow"), and releasing is always safe: stopping half-way would only
 * leave files locked until their lease ends. So once the hook starts releasing, the deadline moves to
 * {@link #RELEASE_BUDGET} from the start, and the release finishes (10,000 file locks take about two seconds).
 *
 * <p>On the hook path: plain fields, no lambdas, no atomics (their VarHandles cost start-up time).
 */
public final class HookDeadline {

  /**
   * How long a release may run from the hook's start. The agents end a hook at their own timeout first (install
   * registers 10 s for a turn's end, 3-5 s for a session's); this bounds a hook that no agent ends.
   */
  public static final Duration RELEASE_BUDGET = Duration.ofSeconds(30);

  private final long startNanos;
  private final long deadlineNanos;
  /** Guarded by this: the hook is releasing; the time is up (the watchdog answers, a release can no longer start). */
  private boolean releasing;
  private boolean expired;

  public HookDeadline(Duration deadline) {
    this.startNanos = System.nanoTime();
    this.deadlineNanos = deadline.toNanos();
  }

  /**
   * The hook is about to release a session's locks (an end-of-turn or end-of-session event): it may run on past the
   * deadline, up to the release budget. False when the time was already up: the watchdog has answered.
   */
  synchronized boolean releasing() {
    if (!expired) {
      releasing = true;
    }
    return !expired;
  }

  /** Whether the hook is releasing (the watchdog then never fails open: there is nothing to allow). */
  public synchronized boolean isReleasing() {
    return releasing;
  }

  /** Nanoseconds until the hook must be done: the deadline, or the release budget while releasing. */
  public synchronized long nanosLeft() {
    long budget = releasing ? Math.max(deadlineNanos, RELEASE_BUDGET.toNanos()) : deadlineNanos;
    return startNanos + budget - System.nanoTime();
  }

  /** For the watchdog: true, once, when the time is up; no release starts after that. */
  public synchronized boolean expire() {
    if (nanosLeft() > 0) {
      return false;
    }
    expired = true;
    return true;
  }
}
