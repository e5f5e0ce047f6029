package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockStore;

/** The document recipe over the in-memory store. */
final class InMemoryDocumentsContractTest extends DocumentsContract {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }
}
