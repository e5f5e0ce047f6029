package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.io.IOException;
import java.nio.file.Files;
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
    try {
      return FileLockStore.open(Files.createTempDirectory(temp, "store"), /* durable= */ true).get();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
