package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.WorkspaceHash;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;

/**
 * At most one notice per session and cause: when the hook fails open, the user is told once (agents show a
 * {@code systemMessage}, never stderr on exit 0), not on every tool call. A marker file per session and cause
 * in a private directory under the temp directory, so it works when the lock directory is what is broken.
 */
final class Notices {

  private Notices() {}

  /** True the first time {@code cause} is seen for {@code session}; true also when no marker can be written. */
  static boolean firstTime(Path directory, String cause, String session) {
    File dir = directory.toFile();
    if (!dir.isDirectory() && !(dir.mkdirs() && restrict(dir))) {
      return true;
    }
    String name = cause + "-" + WorkspaceHash.of(session).hex();
    try {
      return new File(dir, name).createNewFile();
    } catch (IOException | SecurityException e) {
      return true;
    }
  }

  private static boolean restrict(File dir) {
    return dir.setReadable(false, false) && dir.setWritable(false, false) && dir.setExecutable(false, false)
        && dir.setReadable(true, true) && dir.setWritable(true, true) && dir.setExecutable(true, true);
  }
}
