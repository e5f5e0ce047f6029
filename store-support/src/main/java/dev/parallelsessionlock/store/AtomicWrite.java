package dev.parallelsessionlock.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one way a file is replaced whole: a temp file in the same folder ({@code .<name>.tmp-<unique>}, created new,
 * never through a link), the bytes, fsync when durable, an atomic rename over the target, fsync of the folder when
 * durable. A reader sees the old file or the new one, never a torn one; a writer killed before the rename leaves
 * the target as it was and a temp file that {@link #sweep} (or a store's own listing) removes later.
 *
 * <p>Lock records, work items, baselines, queue entries and the installer's files are all written here. The hook
 * path runs it: no lambdas, and no {@code Files.createTempFile}, whose random names cost start-up time.
 */
public final class AtomicWrite {

  /** What the written file's permissions are. */
  public enum Mode {
    /** Its owner's alone ({@code 0600} on POSIX): lock records, baselines, queue entries. */
    PRIVATE,
    /** The target's as they were; a new file gets the default for new files (the umask's): a user's own files. */
    KEEP
  }

  /** What every temp file's name holds after the target's name. */
  public static final String TEMP_INFIX = ".tmp-";
  /** Temp files older than this were left by a killed writer (no write takes that long). */
  private static final long ORPHAN_AGE_MILLIS = 60_000;
  private static final AtomicLong TEMP_COUNTER = new AtomicLong();
  private static final long TEMP_SALT = System.identityHashCode(TEMP_COUNTER) * 0x9E3779B97F4A7C15L;

  private AtomicWrite() {}

  /** Replaces {@code target} by {@code bytes}, private, without fsync. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, Mode.PRIVATE, false);
  }

  /**
   * Replaces {@code target} (a file, not a link: resolve one first to write through it) by {@code bytes} with
   * {@code mode}; {@code durable} fsyncs the file before the rename and the folder after it. A folder that cannot be
   * synced (some network and FUSE file systems) still gets the write: the rename is atomic without it.
   */
  public static void write(Path target, byte[] bytes, Mode mode, boolean durable) throws IOException {
    Path folder = target.toAbsolutePath().getParent();
    boolean posix = target.getFileSystem().supportedFileAttributeViews().contains("posix");
    // Unique without a random generator (its initialisation shows in hook start-up): CREATE_NEW refuses a clash.
    Path temp = folder.resolve("." + target.getFileName() + TEMP_INFIX
        + Long.toHexString(System.nanoTime() ^ TEMP_SALT) + "-" + TEMP_COUNTER.incrementAndGet());
    Set<PosixFilePermission> kept = mode == Mode.KEEP && posix ? permissionsOf(target) : null;
    FileAttribute<?>[] attributes = mode == Mode.PRIVATE || kept != null
        ? LockDirectory.privateFile(posix) : new FileAttribute<?>[0];
    try {
      try (FileChannel channel = FileChannel.open(temp, createNew(), attributes)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (durable) {
          channel.force(true);
        }
      }
      if (kept != null) {
        Files.setPosixFilePermissions(temp, kept);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    if (durable && posix) {
      try (FileChannel synced = FileChannel.open(folder, StandardOpenOption.READ)) {
        synced.force(true);
      } catch (IOException cannotSyncAFolder) {
        // the rename is atomic without it
      }
    }
  }

  /** Whether {@code fileName} is one of this writer's temp files. */
  public static boolean isTemp(String fileName) {
    return fileName.startsWith(".") && fileName.contains(TEMP_INFIX);
  }

  /** Removes the temp files of {@code target} that writers killed before their rename left, once a minute old. */
  public static void sweep(Path target) {
    Path folder = target.toAbsolutePath().getParent();
    String prefix = "." + target.getFileName() + TEMP_INFIX;
    long cutoff = System.currentTimeMillis() - ORPHAN_AGE_MILLIS;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        if (entry.getFileName().toString().startsWith(prefix)) {
          deleteIfOlder(entry, cutoff);
        }
      }
    } catch (IOException gone) {
      // nothing to sweep, or it went meanwhile
    }
  }

  /** Deletes {@code entry} when it was last changed before {@code cutoff} (milliseconds since the epoch). */
  public static void deleteIfOlder(Path entry, long cutoff) {
    try {
      if (Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
        Files.deleteIfExists(entry);
      }
    } catch (IOException raced) {
      // renamed or removed meanwhile: nothing to sweep
    }
  }

  /** The cutoff for {@link #deleteIfOlder}: temp files older than it were left by a killed writer. */
  public static long orphanCutoff() {
    return System.currentTimeMillis() - ORPHAN_AGE_MILLIS;
  }

  private static Set<PosixFilePermission> permissionsOf(Path target) throws IOException {
    try {
      return Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException absent) {
      return null;
    }
  }

  private static Set<OpenOption> createNew() {
    return Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }
}
