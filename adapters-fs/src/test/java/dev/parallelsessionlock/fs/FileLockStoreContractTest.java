package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

final class FileLockStoreContractTest extends LockStoreContract {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    try {
      return FileLockStore.open(Files.createTempDirectory(temp, "store")).get();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
