package dev.parallelsessionlock.core;

/** Why an operation could not reach an outcome. Callers on the hook path fail open on any of these. */
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
