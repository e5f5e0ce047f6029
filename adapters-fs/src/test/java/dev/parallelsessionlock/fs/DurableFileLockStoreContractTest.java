package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The same contract with fsync on: the durable path must behave identically. */
final class DurableFileLockStoreContractTest extends LockStoreContract {

  @TempDir
  Path temp;

  @Override
  protected int contentionRounds() {
    return 40; // each round is two fsynced writes
  }

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, true);
  }
}
