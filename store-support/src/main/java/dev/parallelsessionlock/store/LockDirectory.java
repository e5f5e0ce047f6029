package dev.parallelsessionlock.store;

import dev.parallelsessionlock.core.StoreFailure;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;

/**
 * A folder that holds lock state, opened the way every store opens one: created {@code 0700} with its parents when
 * missing, a symlink followed, and refused when it is no folder, belongs to another user or is writable by others
 * (they could forge or remove locks). Its identity (device and inode on POSIX) names it however it is reached, so
 * one folder through a bind mount or a symlink shares its in-process guards ({@link StripedGuard}).
 */
public final class LockDirectory {

  private final Path path;
  private final String identity;
  private final boolean posix;

  private LockDirectory(Path path, String identity, boolean posix) {
    this.path = path;
    this.identity = identity;
    this.posix = posix;
  }

  /** The folder {@code dir}, created private when missing, or why it cannot be used. */
  public static Either<StoreFailure, LockDirectory> open(Path dir) {
    try {
      boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (!Files.exists(dir)) {
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          if (posix) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          } else {
            Files.createDirectory(dir);
          }
        } catch (FileAlreadyExistsException raced) {
          // Another process created it first: fine, it is checked below like any existing directory.
        }
      }
      Path real = dir.toRealPath();
      if (!Files.isDirectory(real)) {
        return refuse(dir, "is not a directory");
      }
      String identity = real.toString();
      if (posix) {
        // One attribute read for owner, mode and identity: each read builds its own map on a cold start.
        Map<String, Object> unix = Files.readAttributes(real, "unix:uid,mode,dev,ino", LinkOption.NOFOLLOW_LINKS);
        Option<String> problem = DirectorySafety.problemWith(real, unix);
        if (problem.isDefined()) {
          return refuse(dir, problem.get());
        }
        identity = "dev " + unix.get("dev") + " ino " + unix.get("ino");
      }
      return Either.right(new LockDirectory(real, identity, posix));
    } catch (IOException e) {
      // describe names the file already
      return Either.left(new StoreFailure(null, "use lock directory", IoErrors.describe(e)));
    } catch (SecurityException e) {
      return refuse(dir, "not permitted");
    }
  }

  private static Either<StoreFailure, LockDirectory> refuse(Path dir, String why) {
    return Either.left(new StoreFailure(null, "use lock directory", dir + ": " + why));
  }

  /** The folder, with symlinks resolved. */
  public Path path() {
    return path;
  }

  /** What names this folder however it is reached: device and inode on POSIX, else its real path. */
  public String identity() {
    return identity;
  }

  /** Whether the folder's file system has POSIX permissions. */
  public boolean isPosix() {
    return posix;
  }

  /** The attributes of a file only its owner may read and write ({@code 0600}), where there are such. */
  public FileAttribute<?>[] privateFile() {
    return privateFile(posix);
  }

  static FileAttribute<?>[] privateFile(boolean posix) {
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
        : new FileAttribute<?>[0];
  }
}
