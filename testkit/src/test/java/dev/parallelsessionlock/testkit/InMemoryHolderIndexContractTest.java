package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.InMemoryHolderIndex;

/** The holder index contract over the in-memory index. */
final class InMemoryHolderIndexContractTest extends HolderIndexContract {

  @Override
  protected HolderIndex newIndex() {
    return new InMemoryHolderIndex();
  }
}
