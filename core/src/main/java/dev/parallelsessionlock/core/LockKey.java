package dev.parallelsessionlock.core;

import java.util.regex.Pattern;

/**
 * The name under which one lock is stored. Restricted to characters that are a safe file name on every
 * operating system, so stores may use it as one; a key never contains a path separator.
 *
 * @param name 1 to 120 characters of {@code [A-Za-z0-9._-]}, not starting with a dot
 */
public record LockKey(String name) implements Comparable<LockKey> {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,119}");

  /** Prefix of workspace locks, as in the seed's {@code session-lock-<hash>.json}. */
  public static final String WORKSPACE_PREFIX = "session-lock-";

  public LockKey {
    if (name == null || !SAFE.matcher(name).matches()) {
      throw new IllegalArgumentException("lock key must be 1-120 of [A-Za-z0-9._-], not starting with '.': " + name);
    }
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
