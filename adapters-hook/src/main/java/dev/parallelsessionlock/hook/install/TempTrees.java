package dev.parallelsessionlock.hook.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the temp folders the demo and the archive training make. */
public final class TempTrees {

  private TempTrees() {}

  /** Deletes {@code root} and everything below it; a folder left behind is harmless, so failures are ignored. */
  public static void delete(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException leftBehind) {
      // harmless: the system's temp cleaner takes it
    }
  }
}
