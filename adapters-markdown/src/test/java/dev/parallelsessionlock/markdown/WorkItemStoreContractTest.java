package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.testkit.LockStoreContract;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The shared store contract, over markdown work items: one item file per key, made when first used. */
final class WorkItemStoreContractTest extends LockStoreContract {

  private static final Duration STALE_AFTER = Duration.ofHours(2);

  @TempDir
  Path temp;

  private int stores;
  private Path items;

  @Override
  protected LockStore newStore() {
    try {
      Path base = Files.createDirectories(temp.resolve("store-" + stores++));
      Path items = Files.createDirectories(base.resolve("items"));
      this.items = items;
      LockDirectory claims = LockDirectory.open(base.resolve("locks")).get();
      return new WorkItemStore(claims, STALE_AFTER, new WorkItemStore.Items() {
        @Override
        public Option<Path> pathOf(LockKey key) {
          Path item = items.resolve(key.name() + ".md");
          // Made once, atomically: threads of the contention test ask at the same time, and a second write of
          // the template would wipe a claim already made.
          synchronized (items) {
            try {
              if (!Files.exists(item)) {
                Path temp = Files.createTempFile(items, ".new-", ".tmp");
                Files.writeString(temp, "---\nid: " + key.name() + "\ntitle: an item\nlocked_by: \"\"\nlocked_at: \"\"\n"
                    + "---\n\n## What\n\nbody\n");
                Files.move(temp, item, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
          return Option.some(item);
        }

        @Override
        public List<LockKey> keys() {
          try (var files = Files.list(items)) {
            return List.ofAll(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".md"))
                .map(n -> new LockKey(n.substring(0, n.length() - 3))).toList());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An item keeps the session and the time; the process comes back from the presence record. */
  @Override
  protected LockRecord asStored(LockKey key, LockRecord written) {
    ProcessRef holder = written.holder().isKnown() ? written.holder() : ProcessRef.unknown(Option.none());
    return new LockRecord(LockRecord.SCHEMA_VERSION, written.sessionId(), holder, written.acquiredAt(), STALE_AFTER,
        written.acquiredAt(), 0, new LockRecord.Details(Option.some(items.resolve(key.name() + ".md").toString()),
        Option.none()));
  }

  @Override
  protected int contentionRounds() {
    return 40; // every write is an fsync'ed rename of the user's file
  }
}
