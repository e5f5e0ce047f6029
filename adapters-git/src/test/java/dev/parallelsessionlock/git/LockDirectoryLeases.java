package dev.parallelsessionlock.git;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.store.FolderStores;
import io.vavr.control.Either;
import java.nio.file.Path;

/** The processor's lease in the lock directory's store, as the executable opens it. */
final class LockDirectoryLeases implements FolderStores {

  static final LockDirectoryLeases INSTANCE = new LockDirectoryLeases();

  @Override
  public Either<StoreFailure, LockStore> open(Path dir) {
    return Either.narrow(FileLockStore.open(dir));
  }
}
