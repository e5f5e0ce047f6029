package dev.parallelsessionlock.fs;

import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/** Whether a lock directory is safe to trust: the user's own, and writable by nobody else. */
final class DirectorySafety {

  private DirectorySafety() {}

  /** Why {@code realDir} (symlinks already resolved) must not be used, or none when it is safe. */
  static Option<String> problemWith(Path realDir) throws IOException {
    Option<Integer> ownUid = currentUid();
    // One attribute read for owner and mode: each read builds its own attribute map on a cold start.
    Map<String, Object> unix = Files.readAttributes(realDir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    Object dirUid = unix.get("uid");
    if (ownUid.isEmpty()) {
      String owner = Files.getOwner(realDir, LinkOption.NOFOLLOW_LINKS).getName();
      if (!owner.equals(System.getProperty("user.name"))) {
        return Option.some("belongs to " + owner + ", not to this user; use a directory of your own (SESSION_LOCK_DIR)");
      }
    } else if (!ownUid.get().equals(dirUid)) {
      return Option.some("belongs to uid " + dirUid + ", not to this user (uid " + ownUid.get()
          + "); use a directory of your own (SESSION_LOCK_DIR)");
    }
    int mode = (Integer) unix.get("mode");
    if ((mode & 0022) != 0) { // group- or other-writable
      return Option.some("is writable by other users; run: chmod go-w '" + realDir + "'");
    }
    return Option.none();
  }

  /** This process's uid, from {@code /proc/self} where there is one. */
  static Option<Integer> currentUid() {
    Path self = Path.of("/proc/self");
    try {
      return Option.some((Integer) Files.getAttribute(self, "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return Option.none();
    }
  }
}
