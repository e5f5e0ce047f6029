package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.DocumentsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The document recipe over the file store, the one the merge queue and the snapshot baselines use. */
final class FileLockStoreDocumentsContractTest extends DocumentsContract {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, false);
  }
}
