package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.ContenderStore;
import java.nio.file.Path;

/** The file store in the testkit's contender JVMs: the place is the lock folder. */
public final class FileStoreContender implements ContenderStore {

  @Override
  public LockStore open(String place) {
    return FileLockStore.open(Path.of(place)).getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
  }

  /** The same store with fsync of every write. */
  public static final class Durable implements ContenderStore {
    @Override
    public LockStore open(String place) {
      return FileLockStore.open(Path.of(place), /* durable= */ true)
          .getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
    }
  }
}
