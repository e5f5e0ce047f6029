package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.git.MergeQueue;
import io.vavr.control.Either;
import java.nio.file.Path;

/**
 * Where the merge queue's processor keeps its lease: the lock directory's store in the queue's own folder under the
 * repository's git common directory, whatever {@code SESSION_LOCK_STORE} says, because the queue belongs to the
 * repository and goes where it goes.
 */
final class QueueLeases implements MergeQueue.LeaseStores {

  static final QueueLeases IN_LOCK_DIRECTORY = new QueueLeases();

  private QueueLeases() {}

  @Override
  public Either<StoreFailure, LockStore> open(Path dir) {
    return Either.narrow(FileLockStore.open(dir));
  }
}
