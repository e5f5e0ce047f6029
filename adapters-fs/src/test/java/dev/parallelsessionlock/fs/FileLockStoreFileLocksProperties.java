package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FileLocksProperties;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's file-locks properties over the file store and its holder index, plain and with fsync. */
final class FileLockStoreFileLocksProperties {

  abstract static class OnFiles extends FileLocksProperties {
    @TempDir
    Path temp;

    abstract boolean durable();

    @Override
    protected LockStore newStore() {
      return TempStores.fresh(temp, durable());
    }

    @Override
    protected HolderIndex newIndex(LockStore store) {
      return FileHolderIndex.of((FileLockStore) store);
    }

    @Override
    protected int examples() {
      return durable() ? 60 : 200; // the in-memory run has 500; here each step is several files
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
