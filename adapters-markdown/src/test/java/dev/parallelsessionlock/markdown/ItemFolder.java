package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.store.LockDirectory;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/**
 * The work-item store as the testkit's suites use it: a folder of items, one made (unclaimed) for each key when it
 * is first used, with the claims folder beside it; and what the store keeps of a record ({@link #asStored}).
 */
final class ItemFolder implements WorkItemStore.Items {

  private final Path base;
  private final Path items;

  private ItemFolder(Path base) throws IOException {
    this.base = base;
    this.items = Files.createDirectories(base.resolve("items"));
  }

  /** A new folder of items under a new folder in {@code temp}. */
  static ItemFolder in(Path temp) {
    try {
      return new ItemFolder(Files.createTempDirectory(temp, "store"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The store of these items, its claims going stale after {@code staleAfter}; the claims folder is beside them. */
  WorkItemStore store(Duration staleAfter) {
    return new WorkItemStore(LockDirectory.open(base.resolve("locks").resolve("claims")).get(), staleAfter, this);
  }

  /**
   * The record a work item gives back: the session and the claim's time (to the second) are in the item; the process
   * is the session's, from its presence record; the lease is the store's; there is no generation, no task and no
   * agent; the path is the item's.
   */
  LockRecord asStored(LockKey key, LockRecord written, Duration staleAfter) {
    ProcessRef holder = written.holder().isKnown() ? written.holder() : ProcessRef.unknown(Option.none());
    java.time.Instant at = written.acquiredAt().truncatedTo(ChronoUnit.SECONDS);
    return new LockRecord(LockRecord.SCHEMA_VERSION, written.sessionId(), holder, at, staleAfter, at, 0,
        new LockRecord.Details(Option.some(itemOf(key).toString()), Option.none()));
  }

  private Path itemOf(LockKey key) {
    return items.resolve(key.name() + ".md");
  }

  @Override
  public Option<Path> pathOf(LockKey key) {
    Path item = itemOf(key);
    // Made once, whole, before anyone gets its path: threads of the contention test ask at the same time, and a
    // second write of the template would wipe a claim already made.
    synchronized (this) {
      try {
        if (!Files.exists(item)) {
          Files.write(item, ("---\nid: " + key.name() + "\ntitle: an item\nlocked_by: \"\"\nlocked_at: \"\"\n"
              + "---\n\n## What\n\nbody\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);
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
}
