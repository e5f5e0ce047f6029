package dev.parallelsessionlock.core;

import java.util.Objects;

/**
 * The seed's workspace hash: the first 12 hex digits of the MD5 of the resolved workspace path. The adapter
 * resolves the path (symlinks, {@code ..}); this type only hashes the string it is given.
 *
 * @param hex 12 lower-case hex digits
 */
public record WorkspaceHash(String hex) {

  public WorkspaceHash {
    if (!isTwelveLowerHex(hex)) {
      throw new IllegalArgumentException("workspace hash must be 12 lower-case hex digits: " + hex);
    }
  }

  // By hand: the hook path loads no regex or lambda class (HookStartupIT).
  private static boolean isTwelveLowerHex(String hex) {
    if (hex == null || hex.length() != 12) {
      return false;
    }
    for (int i = 0; i < hex.length(); i++) {
      char c = hex.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Hash of an already resolved workspace path, e.g. {@code /home/me/project}. */
  public static WorkspaceHash of(String resolvedPath) {
    Objects.requireNonNull(resolvedPath, "resolvedPath");
    return new WorkspaceHash(Md5.hex(resolvedPath).substring(0, 12));
  }

  @Override
  public String toString() {
    return hex;
  }
}
