package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FileLocksProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's file-locks properties over work items, one item per file lock: the sessions' locks, with what an
 * item keeps (no task holders: an item names a session).
 */
final class WorkItemStoreFileLocksProperties extends FileLocksProperties {

  private static final Duration STALE_AFTER = Duration.ofMinutes(10);

  @TempDir
  Path temp;

  private ItemFolder items;

  @Override
  protected LockStore newStore() {
    items = ItemFolder.in(temp);
    return items.store(STALE_AFTER);
  }

  @Override
  protected LockRecord asStored(LockKey key, LockRecord written) {
    return items.asStored(key, written, STALE_AFTER);
  }

  @Override
  protected boolean keepsProcessPerSession() {
    return true;
  }

  @Override
  protected int examples() {
    return 100; // every write is an fsync'ed rename of an item
  }
}
