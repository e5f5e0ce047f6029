package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.MixedModesProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The workspace lease and the file locks as one namespace ({@link MixedModesProperties}) over the lock directory. */
final class FileStoreMixedModesProperties extends MixedModesProperties {

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
    return 120;
  }
}
