package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.testkit.CrashedAcquireProperties;
import dev.parallelsessionlock.core.LockStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** An acquire of several files killed at any store call ({@link CrashedAcquireProperties}), over the lock directory. */
final class FileStoreCrashedAcquireProperties extends CrashedAcquireProperties {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, false);
  }

  @Override
  protected int examples() {
    return 150;
  }
}
