package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.store.FolderStores;
import io.vavr.control.Either;
import java.nio.file.Path;

/**
 * The lock directory's store, in the folder it is given, whatever {@code SESSION_LOCK_STORE} says: where the merge
 * queue keeps its entries and its processor's lease (under the repository's git common directory, because the queue
 * belongs to the repository and goes where it goes), and where the plans keep their snapshot baselines (beside the
 * lock directory's own records).
 */
public final class LockDirectoryStores implements FolderStores {

  public static final LockDirectoryStores FILES = new LockDirectoryStores();

  private LockDirectoryStores() {}

  @Override
  public Either<StoreFailure, LockStore> open(Path dir) {
    return Either.narrow(FileLockStore.open(dir));
  }
}
