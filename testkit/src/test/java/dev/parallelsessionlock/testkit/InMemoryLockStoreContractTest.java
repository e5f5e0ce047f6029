package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** The store contract over the in-memory store, the reference every other store is held to. */
final class InMemoryLockStoreContractTest extends LockStoreContract {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
