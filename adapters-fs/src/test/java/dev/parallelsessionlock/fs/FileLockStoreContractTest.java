package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

final class FileLockStoreContractTest extends LockStoreContract {

  @TempDir
  Path temp;

  @Override
  protected LockStore newStore() {
    return TempStores.fresh(temp, false);
  }
}
