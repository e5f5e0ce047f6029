package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.util.Objects;

/**
 * A store that passes every call to another, after {@link #beforeCall()}: the base of the test stores that step,
 * crash or watch a real store's calls (Guava's {@code ForwardingObject}). A subclass overrides the hook, or the
 * calls it changes; every call it does not change still reaches the store it wraps, the prefix reads included (so
 * a store's own {@code list(prefix)} and {@code slots(prefix)} are the ones under test, not the defaults).
 */
public abstract class ForwardingLockStore implements LockStore {

  private final LockStore delegate;

  protected ForwardingLockStore(LockStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store the calls go to. */
  protected final LockStore delegate() {
    return delegate;
  }

  /** Runs before every call; nothing by default. Throw here to model a process killed before the call. */
  protected void beforeCall() {}

  @Override
  public Either<StoreFailure, Option<Slot>> read(LockKey key) {
    beforeCall();
    return delegate.read(key);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    beforeCall();
    return delegate.create(key, record);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    beforeCall();
    return delegate.replace(expected, next);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    beforeCall();
    return delegate.delete(expected);
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    beforeCall();
    return delegate.list();
  }

  @Override
  public Either<StoreFailure, List<Slot>> list(String keyPrefix) {
    beforeCall();
    return delegate.list(keyPrefix);
  }

  @Override
  public Either<StoreFailure, java.util.List<Slot>> slots(String keyPrefix) {
    beforeCall();
    return delegate.slots(keyPrefix);
  }
}
