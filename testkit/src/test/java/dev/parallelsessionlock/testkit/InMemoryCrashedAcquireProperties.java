package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** {@link CrashedAcquireProperties} over the in-memory store. */
final class InMemoryCrashedAcquireProperties extends CrashedAcquireProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
