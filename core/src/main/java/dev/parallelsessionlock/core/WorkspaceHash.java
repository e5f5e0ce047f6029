package dev.parallelsessionlock.core;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The seed's workspace hash: the first 12 hex digits of the MD5 of the resolved workspace path. The adapter
 * resolves the path (symlinks, {@code ..}); this type only hashes the string it is given.
 *
 * @param hex 12 lower-case hex digits
 */
public record WorkspaceHash(String hex) {

  private static final Pattern TWELVE_HEX = Pattern.compile("[0-9a-f]{12}");

  public WorkspaceHash {
    if (hex == null || !TWELVE_HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("workspace hash must be 12 lower-case hex digits: " + hex);
    }
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
