package dev.parallelsessionlock.core;

/**
 * The name under which one lock is stored. Restricted to characters that are a safe file name on every
 * operating system, so stores may use it as one; a key never contains a path separator.
 *
 * @param name 1 to 120 characters of {@code [A-Za-z0-9._-]}, not starting with a dot
 */
public record LockKey(String name) implements Comparable<LockKey> {

  /** Prefix of workspace locks, as in the seed's {@code session-lock-<hash>.json}. */
  public static final String WORKSPACE_PREFIX = "session-lock-";

  public LockKey {
    if (!isSafe(name)) {
      throw new IllegalArgumentException("lock key must be 1-120 of [A-Za-z0-9._-], not starting with '.': " + name);
    }
  }

  // By hand: the hook path loads no regex class (HookStartupIT).
  private static boolean isSafe(String name) {
    if (name == null || name.isEmpty() || name.length() > 120 || name.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The key of the lock on a whole workspace: {@code session-lock-<hash>}. */
  public static LockKey workspace(WorkspaceHash hash) {
    return new LockKey(WORKSPACE_PREFIX + hash.hex());
  }

  @Override
  public int compareTo(LockKey other) {
    return name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
