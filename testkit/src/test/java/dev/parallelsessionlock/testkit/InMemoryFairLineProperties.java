package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** The fair line's model-based properties ({@link FairLineProperties}) over the in-memory store. */
final class InMemoryFairLineProperties extends FairLineProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
