package dev.parallelsessionlock.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A new, empty file store in a folder of its own under a test's temp folder: the kit's suites ask for many. */
final class TempStores {

  private TempStores() {}

  static FileLockStore fresh(Path temp, boolean durable) {
    try {
      return FileLockStore.open(Files.createTempDirectory(temp, "store"), durable).get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
