package dev.parallelsessionlock.core;

/** The fair line's model-based properties ({@link FairLineProperties}) over the in-memory store. */
final class InMemoryFairLineProperties extends FairLineProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
