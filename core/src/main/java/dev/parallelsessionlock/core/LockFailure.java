package dev.parallelsessionlock.core;

/**
 * Why an operation could not reach an outcome. On the hook path a store failure fails open; contention is a denial
 * with "try again" ({@link FailOpen#decide}): the store works, and a rival is taking the lock.
 */
public sealed interface LockFailure {

  /** One line for a person. */
  String describe();

  /** The store failed (I/O, permissions). */
  record StoreUnavailable(StoreFailure cause) implements LockFailure {
    @Override
    public String describe() {
      return cause.describe();
    }
  }

  /** Every conditional write lost to a rival within the attempt budget; nothing was decided. */
  record Contended(LockKey key, int attempts) implements LockFailure {
    @Override
    public String describe() {
      return "the lock changed under every one of " + attempts + " attempts (other sessions writing it at the same "
          + "moment); try again";
    }
  }
}
