package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** The file-locks properties over the in-memory store and index. */
final class InMemoryFileLocksProperties extends FileLocksProperties {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
