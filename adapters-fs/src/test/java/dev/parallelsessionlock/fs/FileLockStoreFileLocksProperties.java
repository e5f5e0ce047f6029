package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FileLocksProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's file-locks properties over the file store and its holder index, plain and with fsync. */
final class FileLockStoreFileLocksProperties {

  @Nested
  final class Plain extends FileLocksProperties {
    @TempDir
    Path temp;

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, false);
    }

    @Override
    protected HolderIndex newIndex(LockStore store) {
      return FileHolderIndex.of((FileLockStore) store);
    }

    @Override
    protected int examples() {
      return 200; // the in-memory run has 500; here each step is several files
    }
  }

  @Nested
  final class Durable extends FileLocksProperties {
    @TempDir
    Path temp;

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, true);
    }

    @Override
    protected HolderIndex newIndex(LockStore store) {
      return FileHolderIndex.of((FileLockStore) store);
    }

    @Override
    protected int examples() {
      return 60; // every write waits for the disk
    }
  }
}
