package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.FairLineProperties;
import dev.parallelsessionlock.core.LockStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The fair line against its model ({@link FairLineProperties}) over the lock directory. */
final class FileStoreFairLineProperties extends FairLineProperties {

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
    return 60;
  }
}
