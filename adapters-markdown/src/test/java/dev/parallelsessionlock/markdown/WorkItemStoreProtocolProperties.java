package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockProtocolProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's model-based protocol properties over work items. An item keeps a session and a time, the store's own
 * lease, and the session's process in a presence record: the kit's hooks say so, and it is held to all of that.
 * The lease is longer than any the properties ask for (and than a second of truncation), as the claims' 2 hours are
 * longer than a turn.
 */
final class WorkItemStoreProtocolProperties extends LockProtocolProperties {

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
