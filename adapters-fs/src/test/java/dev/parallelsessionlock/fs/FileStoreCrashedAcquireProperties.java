package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.testkit.CrashedAcquireProperties;
import dev.parallelsessionlock.core.LockStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** An acquire of several files killed at any store call ({@link CrashedAcquireProperties}), over the lock directory. */
final class FileStoreCrashedAcquireProperties extends CrashedAcquireProperties {

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

  @Override
  protected int examples() {
    return 150;
  }
}
