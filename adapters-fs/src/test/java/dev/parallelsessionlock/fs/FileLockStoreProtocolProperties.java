package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockProtocolProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's model-based protocol properties over the file store, the hook's default, plain and with fsync. */
final class FileLockStoreProtocolProperties {

  @Nested
  final class Plain extends LockProtocolProperties {
    @TempDir
    Path temp;

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, false);
    }
  }

  @Nested
  final class Durable extends LockProtocolProperties {
    @TempDir
    Path temp;

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, true);
    }

    @Override
    protected int examples() {
      return 60; // every write waits for the disk
    }
  }
}
