package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockProtocolProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's model-based protocol properties over the file store, the hook's default, plain and with fsync. */
final class FileLockStoreProtocolProperties {

  abstract static class OnFiles extends LockProtocolProperties {
    @TempDir
    Path temp;

    abstract boolean durable();

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, durable());
    }

    @Override
    protected int examples() {
      return durable() ? 60 : 400; // with fsync, every write waits for the disk
    }
  }

  @Nested
  final class Plain extends OnFiles {
    @Override
    boolean durable() {
      return false;
    }
  }

  @Nested
  final class Durable extends OnFiles {
    @Override
    boolean durable() {
      return true;
    }
  }
}
