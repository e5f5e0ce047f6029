package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.testkit.ContenderStore;
import io.vavr.collection.List;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The work-item store in the testkit's contender JVMs: the place is the item, the key its claim's, and the claims
 * folder {@code locks/claims} beside it, as {@code WorkItems.open} keeps it under a lock folder.
 */
public final class WorkItemContender implements ContenderStore {

  @Override
  public LockStore open(String place) {
    Path item = Path.of(place);
    LockKey key = key(place);
    LockDirectory claims = LockDirectory.open(item.getParent().resolve("locks").resolve("claims"))
        .getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
    return new WorkItemStore(claims, WorkItems.DEFAULT_STALE_AFTER, new WorkItemStore.Items() {
      @Override
      public Option<Path> pathOf(LockKey asked) {
        return asked.equals(key) ? Option.some(item) : Option.none();
      }

      @Override
      public List<LockKey> keys() {
        return List.of(key);
      }
    });
  }

  @Override
  public LockKey key(String place) {
    try {
      return LockKey.claim(Path.of(place).toRealPath().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
