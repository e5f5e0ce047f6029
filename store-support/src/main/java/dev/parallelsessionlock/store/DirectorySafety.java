package dev.parallelsessionlock.store;

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
  static Option<String> problemWith(Path realDir, Map<String, Object> unix) throws IOException {
    Option<Integer> ownUid = currentUid();
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
      return Option.some("is writable by other users, who could forge or remove locks; use a private directory"
          + " of your own instead (SESSION_LOCK_DIR, created 0700 when missing)");
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
