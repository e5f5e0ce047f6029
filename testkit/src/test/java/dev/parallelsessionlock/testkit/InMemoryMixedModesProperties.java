package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** {@link MixedModesProperties} over the in-memory store. */
final class InMemoryMixedModesProperties extends MixedModesProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
