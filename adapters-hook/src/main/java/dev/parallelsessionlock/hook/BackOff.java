package dev.parallelsessionlock.hook;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Tries again after a short random pause, a few times, within a budget. For the rounds nobody wins: a workspace
 * lease and a file lock written at the same moment may each see the other and both back off
 * ({@code WorkspaceLease}), and a call may find another call of its own session still taking a key. The core never
 * sleeps; the adapters do, here. The pause doubles from 5 ms and is drawn at random, so two racers part.
 */
final class BackOff {

  /** Attempts in all, the first included. */
  static final int ATTEMPTS = 6;

  private final long endNanos;
  private int attempt = 1;

  private BackOff(long endNanos) {
    this.endNanos = endNanos;
  }

  /** A back-off that gives up once {@code budget} from now has passed. */
  static BackOff within(Duration budget) {
    return new BackOff(System.nanoTime() + budget.toNanos());
  }

  /** Whether to try again: then it has paused. False once the attempts or the budget are spent. */
  boolean again() {
    if (attempt >= ATTEMPTS) {
      return false;
    }
    long ceiling = 5L << attempt; // 10, 20, 40, 80, 160 ms
    long pauseMs = ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1);
    if (System.nanoTime() + pauseMs * 1_000_000 > endNanos) {
      return false;
    }
    attempt++;
    try {
      Thread.sleep(pauseMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }
}
