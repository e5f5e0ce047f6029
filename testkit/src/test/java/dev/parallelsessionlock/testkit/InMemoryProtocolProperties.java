package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** The model-based properties of the protocol over the in-memory store. */
final class InMemoryProtocolProperties extends LockProtocolProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
