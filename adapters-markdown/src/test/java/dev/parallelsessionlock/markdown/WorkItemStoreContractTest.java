package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The shared store contract, over markdown work items: one item file per key, made when first used. */
final class WorkItemStoreContractTest extends LockStoreContract {

  private static final Duration STALE_AFTER = Duration.ofHours(2);

  @TempDir
  Path temp;

  private ItemFolder items;

  @Override
  protected LockStore newStore() {
    items = ItemFolder.in(temp);
    return items.store(STALE_AFTER);
  }

  /** An item keeps the session and the time; the process comes back from the presence record. */
  @Override
  protected LockRecord asStored(LockKey key, LockRecord written) {
    return items.asStored(key, written, STALE_AFTER);
  }

  @Override
  protected int contentionRounds() {
    return 40; // every write is an fsync'ed rename of the user's file
  }
}
