package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.MixedModesProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The workspace lease and the file locks as one namespace ({@link MixedModesProperties}) over the lock directory. */
final class FileStoreMixedModesProperties extends MixedModesProperties {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, false);
  }

  @Override
  protected int examples() {
    return 120;
  }
}
