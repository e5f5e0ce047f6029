package dev.parallelsessionlock.core;

/**
 * Why an operation could not reach an outcome. On the hook path ({@link FailOpen#decide}) a store failure and the
 * holder's own other call fail open; contention with rivals is a denial with "try again": the store works, and a
 * rival is taking the lock.
 */
public sealed interface LockFailure {

  /** One line for a person. */
  String describe();

  /** Whether the same try may well succeed shortly (contention, the holder's own other call), unlike a store failure. */
  default boolean tryAgain() {
    return !(this instanceof StoreUnavailable);
  }

  /** The store failed (I/O, permissions). */
  record StoreUnavailable(StoreFailure cause) implements LockFailure {
    @Override
    public String describe() {
      return cause.describe();
    }
  }

  /**
   * Another call of the same holder (its session, or its task) is taking this key at this moment and has not yet
   * settled: nothing was written; try again shortly. Its own work, so never a reason to deny.
   */
  record Busy(LockKey key) implements LockFailure {
    @Override
    public String describe() {
      return "another call of the same session is taking this lock at this moment; try again";
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
