package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.WorkspaceHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Where the resident helper of one store lives, and whether it is wanted. A directory only its user can enter
 * ({@code 0700}: {@code $XDG_RUNTIME_DIR/session-lock}, else {@code ~/.session-lock/run}) holds, per store, the
 * socket {@code helper-<hash>.sock}, the lock file one helper holds while it serves ({@code .lock}), the mark of its
 * last start ({@code .started}) and its log ({@code .log}). The hash is of the store's URL and the credentials'
 * names, so each store (and each login to it) has its own helper.
 *
 * <p>Settings: {@code SESSION_LOCK_HELPER=off} turns the helper off (every call opens the database itself);
 * {@code SESSION_LOCK_HELPER_IDLE_SECONDS} is how long it waits for a call before it stops (default 600).
 */
public final class HelperPaths {

  /** How long a helper with no call stops after. */
  public static final Duration DEFAULT_IDLE = Duration.ofMinutes(10);
  /** A socket path longer than this does not fit {@code sockaddr_un} on every kernel: the helper is then off. */
  static final int MAX_SOCKET_PATH = 100;

  private final Path directory;
  private final String name;
  private final String store;

  private HelperPaths(Path directory, String name, String store) {
    this.directory = directory;
    this.name = name;
    this.store = store;
  }

  /** Whether {@code env} leaves the helper on. */
  public static boolean enabled(Map<String, String> env) {
    String value = env.get("SESSION_LOCK_HELPER");
    return value == null || !(value.equals("off") || value.equals("0") || value.equals("false"));
  }

  /** How long a helper waits for a call before it stops: {@code SESSION_LOCK_HELPER_IDLE_SECONDS}, or 10 minutes. */
  public static Duration idle(Map<String, String> env) {
    String value = env.get("SESSION_LOCK_HELPER_IDLE_SECONDS");
    if (value != null) {
      try {
        long seconds = Long.parseLong(value.trim());
        if (seconds > 0) {
          return Duration.ofSeconds(seconds);
        }
      } catch (NumberFormatException e) {
        // the default
      }
    }
    return DEFAULT_IDLE;
  }

  /** The helper's files for the store {@code storeUrl}, under the run directory {@code env} names. */
  public static HelperPaths of(Map<String, String> env, String storeUrl) {
    String runtime = env.get("XDG_RUNTIME_DIR");
    Path directory;
    if (runtime != null && !runtime.isBlank() && Path.of(runtime).isAbsolute()) {
      directory = Path.of(runtime, "session-lock");
    } else {
      String home = env.get("HOME");
      directory = Path.of(home == null || home.isBlank() ? System.getProperty("user.home") : home, ".session-lock",
          "run");
    }
    String login = storeUrl + "\n" + nonNull(env.get("SESSION_LOCK_STORE_USER")) + "\n"
        + nonNull(env.get("SESSION_LOCK_STORE_CREDENTIALS"));
    return new HelperPaths(directory, "helper-" + WorkspaceHash.of(login).hex(), storeUrl);
  }

  private static String nonNull(String value) {
    return value == null ? "" : value;
  }

  public Path directory() {
    return directory;
  }

  public Path socket() {
    return directory.resolve(name + ".sock");
  }

  public Path lock() {
    return directory.resolve(name + ".lock");
  }

  public Path started() {
    return directory.resolve(name + ".started");
  }

  public Path log() {
    return directory.resolve(name + ".log");
  }

  /** The store's URL, as configured. */
  public String store() {
    return store;
  }

  /** Whether the socket's path fits a Unix socket address. */
  public boolean fits() {
    return socket().toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
  }

  /**
   * Makes the directory when missing ({@code 0700}), then checks it: a directory (no link), owned by this user,
   * that no one else may enter. Null when it is fit, else why not (the helper is then not used: the calls open the
   * database themselves).
   */
  public String secure() {
    try {
      if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
        Path parent = directory.getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          Files.createDirectory(directory,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
          // another call made it: checked below
        }
      }
      PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isDirectory()) {
        return directory + " is not a directory";
      }
      if (!attributes.owner().getName().equals(System.getProperty("user.name"))) {
        return directory + " belongs to " + attributes.owner().getName() + ", not to " + System.getProperty("user.name");
      }
      Set<PosixFilePermission> mode = attributes.permissions();
      if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.GROUP_WRITE)
          || mode.contains(PosixFilePermission.GROUP_EXECUTE) || mode.contains(PosixFilePermission.OTHERS_READ)
          || mode.contains(PosixFilePermission.OTHERS_WRITE) || mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return directory + " can be entered by others (mode " + PosixFilePermissions.toString(mode) + ", not rwx------)";
      }
      if (!fits()) {
        return socket() + " is too long for a Unix socket";
      }
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return "cannot make " + directory + " (" + e.getClass().getSimpleName() + ")";
    }
  }
}
