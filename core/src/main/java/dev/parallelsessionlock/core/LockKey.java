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

  /** Prefix of file locks: {@code file-<workspace hash>-<path hash>}. */
  public static final String FILE_PREFIX = "file-";

  /**
   * The key of the lock on one file of a workspace: {@code file-<workspace hash>-<20 hex digits of the MD5 of the
   * canonical path>}. The workspace hash comes first so that one workspace's file locks can be listed by prefix.
   */
  public static LockKey file(WorkspaceHash workspace, String canonicalPath) {
    return new LockKey(filePrefix(workspace) + Md5.hex(canonicalPath).substring(0, 20));
  }

  /** The prefix every file lock of {@code workspace} has. */
  public static String filePrefix(WorkspaceHash workspace) {
    return FILE_PREFIX + workspace.hex() + "-";
  }

  /** Whether this is a file lock's key. */
  public boolean isFile() {
    return name.startsWith(FILE_PREFIX);
  }

  /** Prefix of work-item claims: {@code claim-<path hash>}. */
  public static final String CLAIM_PREFIX = "claim-";

  /** The key of the claim on one work item: {@code claim-<20 hex digits of the MD5 of its canonical path>}. */
  public static LockKey claim(String canonicalPath) {
    return new LockKey(CLAIM_PREFIX + Md5.hex(canonicalPath).substring(0, 20));
  }

  /** The key of the lock on a whole workspace: {@code session-lock-<hash>}. */
  public static LockKey workspace(WorkspaceHash hash) {
    return new LockKey(WORKSPACE_PREFIX + hash.hex());
  }

  /** Whether this is a workspace lease's key. */
  public boolean isWorkspace() {
    return name.startsWith(WORKSPACE_PREFIX);
  }

  /** Prefix of the intent records of multi-file acquires: {@code intent-<attempt id>}. */
  public static final String INTENT_PREFIX = "intent-";

  /**
   * The key of the intent record of one multi-file acquire ({@link FileLocks}): written before its first file,
   * removed after its last; {@code attempt} is the id its newly taken files carry.
   */
  public static LockKey intent(String attempt) {
    return new LockKey(INTENT_PREFIX + attempt);
  }

  /** By hand, not the record's generated method: its bootstrap spins classes in every cold hook start. */
  @Override
  public boolean equals(Object other) {
    return other instanceof LockKey key && name.equals(key.name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
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
