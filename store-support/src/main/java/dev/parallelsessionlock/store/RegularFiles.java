package dev.parallelsessionlock.store;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Records, guards, baselines and work items are regular files; anything else at their path is refused before it is
 * opened. Opening a FIFO blocks until a writer comes (for reading) or a reader (for writing), a device may block or
 * never end, a directory is no record: so a FIFO planted at a record path would hang every command that reads it.
 * One {@code lstat} (or {@code stat}, where a symlink may be followed) before each open; what is found is refused
 * with one line naming the path and what it is, like a symlink at a record path.
 */
public final class RegularFiles {

  private RegularFiles() {}

  /**
   * Throws unless {@code path} is a regular file, not following a symlink (which is refused too).
   *
   * @throws java.nio.file.NoSuchFileException when nothing is there
   * @throws FileSystemException naming the path and what it is, when it is no regular file
   */
  public static void requireRegular(Path path) throws IOException {
    requireRegular(path, false);
  }

  /** The same; with {@code followLinks} a symlink to a regular file passes (work items may be links). */
  public static void requireRegular(Path path, boolean followLinks) throws IOException {
    BasicFileAttributes attributes = followLinks
        ? Files.readAttributes(path, BasicFileAttributes.class)
        : Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw notRegular(path, attributes);
    }
  }

  /** Throws unless nothing is at {@code path} or a regular file is (not following a symlink): before writing to it. */
  public static void requireRegularOrAbsent(Path path) throws IOException {
    try {
      requireRegular(path);
    } catch (NoSuchFileException absent) {
      // nothing there: it will be created
    }
  }

  private static FileSystemException notRegular(Path path, BasicFileAttributes attributes) {
    if (attributes.isSymbolicLink()) {
      return new FileSystemException(path.toString(), null, "is a symbolic link; refusing to follow it (remove it)");
    }
    return new FileSystemException(path.toString(), null,
        "is " + kind(path, attributes) + ", not a regular file; refusing to open it (remove it)");
  }

  /** {@code a FIFO (named pipe)}, {@code a socket}, {@code a directory}, ... for the message. */
  private static String kind(Path path, BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    try {
      int type = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
      switch (type) {
        case 0010000:
          return "a FIFO (named pipe)";
        case 0140000:
          return "a socket";
        case 0020000:
          return "a character device";
        case 0060000:
          return "a block device";
        default:
          return "a special file";
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException unknown) {
      return "a special file";
    }
  }
}
