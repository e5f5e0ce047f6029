package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FairLineProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The fair line against its model ({@link FairLineProperties}) over the lock directory. */
final class FileStoreFairLineProperties extends FairLineProperties {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, false);
  }

  @Override
  protected int examples() {
    return 60;
  }
}
