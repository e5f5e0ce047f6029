package dev.parallelsessionlock.store;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import io.vavr.control.Either;
import java.nio.file.Path;

/**
 * Opens a lock store in a folder: the caller's choice of store (the executable passes the lock directory's), so the
 * recipes built on the protocol ({@link Documents}, the merge queue's lease) depend on it, not on a store.
 */
public interface FolderStores {

  /** The store kept in {@code dir}, created when missing, or why it cannot be used. */
  Either<StoreFailure, LockStore> open(Path dir);
}
