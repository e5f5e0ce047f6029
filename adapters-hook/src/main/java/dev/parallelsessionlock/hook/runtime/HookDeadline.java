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

  /**
   * How long a database store may take to open before the event is read (the driver's start, the connection, the
   * tables checked), as a bound on a hang no timeout of the driver caught. A server that is down or unreachable
   * fails within its connect timeout, which is the deadline's three quarters; a SQLite file locked by another
   * program within its busy timeout, the same. What is left is CPU: on a loaded machine many hooks starting at once
   * take seconds to load the driver, and they still decide.
   */
  public static final Duration OPEN_BUDGET = Duration.ofSeconds(30);

  private long startNanos;
  private long deadlineNanos;
  private final long decisionNanos;
  /** Guarded by this: the store is still opening (the decision's deadline has not started). */
  private boolean opening;
  /** Guarded by this: the hook is releasing; the time is up (the watchdog answers, a release can no longer start). */
  private boolean releasing;
  private boolean expired;

  public HookDeadline(Duration deadline) {
    this.startNanos = System.nanoTime();
    this.deadlineNanos = deadline.toNanos();
    this.decisionNanos = deadlineNanos;
  }

  /**
   * A deadline that starts once the store is open ({@link #opened}): until then the hook has {@link #OPEN_BUDGET}.
   * Opening a database store is work of the hook's own start (JDBC driver, native library, connection), done before
   * the event is read, which the decision's budget does not count, as it does not count the JVM's start.
   */
  public static HookDeadline opening(Duration deadline) {
    HookDeadline opening = new HookDeadline(deadline);
    opening.deadlineNanos = Math.max(deadline.toNanos(), OPEN_BUDGET.toNanos());
    opening.opening = true;
    return opening;
  }

  /** The store is open: the decision's deadline starts now. False when the time was already up. */
  synchronized boolean opened() {
    if (expired) {
      return false;
    }
    opening = false;
    startNanos = System.nanoTime();
    deadlineNanos = decisionNanos;
    return true;
  }

  /**
   * The store opens again, within the decision: its resident helper went away mid-call and the hook opens the
   * database itself. Like the first opening, that is not counted in the decision's deadline, which starts again at
   * the next {@link #opened}. False when the time was already up.
   */
  synchronized boolean reopening() {
    if (expired) {
      return false;
    }
    opening = true;
    startNanos = System.nanoTime();
    deadlineNanos = Math.max(decisionNanos, OPEN_BUDGET.toNanos());
    return true;
  }

  /**
   * The hook waits in the fair line for up to {@code budgetNanos} from now ({@link HookLine}): the decision's
   * deadline moves to the end of that wait plus the usual deadline, for the last try and the answer. False when the
   * time was already up (the watchdog has answered).
   */
  synchronized boolean waiting(long budgetNanos) {
    if (expired) {
      return false;
    }
    long elapsed = System.nanoTime() - startNanos;
    deadlineNanos = Math.max(deadlineNanos, elapsed + budgetNanos + decisionNanos);
    return true;
  }

  /** Whether the store is still opening (the watchdog then says that the store did not open). */
  public synchronized boolean isOpening() {
    return opening;
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
