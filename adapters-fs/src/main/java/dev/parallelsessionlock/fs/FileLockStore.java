package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.RecordCodec;
import dev.parallelsessionlock.store.RegularFiles;
import dev.parallelsessionlock.store.StripedGuard;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A {@link LockStore} of one JSON file per key, {@code <dir>/<key>.json}, shared by every process of the user.
 * With the key {@code session-lock-<hash>} and the directory {@code ~/.claude/runtime} this is the seed's
 * location.
 *
 * <ul>
 *   <li>Conditional writes compare and write under the key's {@link StripedGuard} (an OS lock on one of 64 guard
 *       files, and an in-process lock), so a process stuck holding one guard delays only the keys of that stripe,
 *       and only until the guard timeout. Reads take no lock: records change only by {@link AtomicWrite}, so a
 *       reader sees the old file or the new one, never a torn one.</li>
 *   <li>A slot's version is a 64-bit FNV-1a hash of its bytes and their length: unchanged bytes mean an
 *       unchanged lease.</li>
 *   <li>Unreadable bytes that are replaced or deleted are first linked (or copied) to
 *       {@code <key>.json.corrupt-<UTC time>} beside the record.</li>
 *   <li>The directory is a {@link LockDirectory}: created 0700, refused when owned by another user or writable by
 *       others; records are 0600 (POSIX). A symlinked directory is followed; a symlink, FIFO, socket, device or directory at a
 *       record's or a guard's path is refused before it is opened ({@link RegularFiles}), so it cannot hang a
 *       read.</li>
 *   <li>{@code durable} adds fsync of each record and the directory (about 0.7 ms here). Off by default: a lock
 *       record need not survive a power loss, since its holders die with the machine.</li>
 * </ul>
 */
public final class FileLockStore implements LockStore {

  static final String RECORD_SUFFIX = ".json";
  /** How long a conditional write waits for its guard unless the caller says otherwise. */
  public static final Duration DEFAULT_GUARD_TIMEOUT = StripedGuard.DEFAULT_TIMEOUT;
  private static final String CORRUPT_INFIX = ".corrupt-";

  private final Path dir;
  private final StripedGuard guard;
  private final boolean durable;

  private FileLockStore(LockDirectory dir, StripedGuard guard, boolean durable) {
    this.dir = dir.path();
    this.guard = guard;
    this.durable = durable;
  }

  /** A store in {@code dir}, created if missing, without fsync. */
  public static Either<StoreFailure, FileLockStore> open(Path dir) {
    return open(dir, false);
  }

  /** A store in {@code dir}, created if missing; {@code durable} fsyncs every write. */
  public static Either<StoreFailure, FileLockStore> open(Path dir, boolean durable) {
    return open(dir, durable, DEFAULT_GUARD_TIMEOUT);
  }

  /**
   * A store in {@code dir}, created if missing; {@code durable} fsyncs every write; a conditional write that
   * cannot get its guard within {@code guardTimeout} fails with a {@link StoreFailure} naming the guard.
   */
  public static Either<StoreFailure, FileLockStore> open(Path dir, boolean durable, Duration guardTimeout) {
    Either<StoreFailure, LockDirectory> opened = LockDirectory.open(dir);
    if (opened.isLeft()) {
      return Either.left(opened.getLeft());
    }
    return Either.right(new FileLockStore(opened.get(), StripedGuard.of(opened.get(), guardTimeout), durable));
  }

  /** The directory, with symlinks resolved. */
  public Path directory() {
    return dir;
  }

  /** The guard file whose OS lock serializes the writes of {@code key} (and of the other keys of its stripe). */
  Path guardPath(LockKey key) {
    return guard.guardPath(key);
  }

  /** Where the record of {@code key} lives. */
  public Path recordPath(LockKey key) {
    return dir.resolve(key.name() + RECORD_SUFFIX);
  }

  @Override
  public Either<StoreFailure, Option<Slot>> read(LockKey key) {
    try {
      return Either.right(readSlot(key));
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, "read", IoErrors.describe(e)));
    }
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    return guarded(key, "create", new StripedGuard.Guarded<WriteOutcome>() {
      @Override
      public WriteOutcome run() throws IOException {
        if (readSlot(key).isDefined()) {
          return WriteOutcome.CONFLICT;
        }
        writeAtomically(key, RecordCodec.encode(record));
        return WriteOutcome.WRITTEN;
      }
    });
  }

  /**
   * Deletes temp files that writers killed between write and rename left behind, once they are a minute old (no
   * write takes that long). Run by {@link #list}, the commands' pass over the directory, not by the hook: a
   * directory scan with a glob would load the regex engine into every hook process.
   */
  private static void sweepIfOrphanedTemp(Path entry, String name, long cutoff) {
    if (name.contains(RECORD_SUFFIX + AtomicWrite.TEMP_INFIX)) { // also the names earlier versions gave them
      AtomicWrite.deleteIfOlder(entry, cutoff);
    }
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    return guarded(expected.key(), "replace", new StripedGuard.Guarded<WriteOutcome>() {
      @Override
      public WriteOutcome run() throws IOException {
        if (!unchanged(expected)) {
          return WriteOutcome.CONFLICT;
        }
        keepAsideIfUnreadable(expected);
        writeAtomically(expected.key(), RecordCodec.encode(next));
        return WriteOutcome.WRITTEN;
      }
    });
  }

  @Override
  public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    return guarded(expected.key(), "delete", new StripedGuard.Guarded<WriteOutcome>() {
      @Override
      public WriteOutcome run() throws IOException {
        if (!unchanged(expected)) {
          return WriteOutcome.CONFLICT;
        }
        keepAsideIfUnreadable(expected);
        Files.delete(recordPath(expected.key()));
        syncDirectory();
        return WriteOutcome.WRITTEN;
      }
    });
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    return list("");
  }

  /** Only the records whose key starts with {@code keyPrefix}: the others are not even read. */
  @Override
  public Either<StoreFailure, List<Slot>> list(String keyPrefix) {
    // Names first, then the records read in parallel (independent files; the cost is in open/read/parse), and
    // collected in array lists: appending to a vavr List in a loop is quadratic.
    java.util.List<LockKey> keys = new java.util.ArrayList<>();
    long tempCutoff = AtomicWrite.orphanCutoff();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!name.endsWith(RECORD_SUFFIX)) {
          sweepIfOrphanedTemp(entry, name, tempCutoff);
          continue;
        }
        if (!name.startsWith(keyPrefix)) {
          continue;
        }
        Option<LockKey> key = keyOf(name.substring(0, name.length() - RECORD_SUFFIX.length()));
        if (key.isDefined()) {
          keys.add(key.get());
        }
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(null, "list", IoErrors.describe(e)));
    }
    java.util.List<Object> read = keys.parallelStream().map(key -> {
      try {
        return (Object) readRaw(key);
      } catch (IOException e) {
        return new StoreFailure(key, "list", IoErrors.describe(e));
      }
    }).collect(java.util.stream.Collectors.toList());
    java.util.List<Raw> raws = new java.util.ArrayList<>(read.size());
    for (Object raw : read) {
      if (raw instanceof StoreFailure failure) {
        return Either.left(failure);
      }
      Option<?> found = (Option<?>) raw;
      if (found.isDefined()) {
        raws.add((Raw) found.get());
      }
    }
    java.util.List<byte[]> bytes = new java.util.ArrayList<>(raws.size());
    for (Raw raw : raws) {
      bytes.add(raw.bytes());
    }
    java.util.List<Either<String, LockRecord>> decoded = RecordCodec.decodeAll(bytes);
    java.util.List<Slot> slots = new java.util.ArrayList<>(raws.size());
    for (int i = 0; i < raws.size(); i++) {
      slots.add(toSlot(raws.get(i), decoded.get(i)));
    }
    slots.sort(java.util.Comparator.comparing(Slot::key));
    return Either.right(List.ofAll(slots));
  }

  /**
   * The records whose key starts with {@code keyPrefix}, read one after the other, in plain loops and
   * {@code java.util} lists: what the hook reads (a workspace's file locks before it grants the workspace, an
   * abandoned acquire's files), where a parallel stream or a vavr list would cost milliseconds of start-up. Temp
   * files are not swept here.
   */
  @Override
  public Either<StoreFailure, java.util.List<Slot>> slots(String keyPrefix) {
    java.util.List<LockKey> keys = new java.util.ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith(keyPrefix) && name.endsWith(RECORD_SUFFIX)) {
          Option<LockKey> key = keyOf(name.substring(0, name.length() - RECORD_SUFFIX.length()));
          if (key.isDefined()) {
            keys.add(key.get());
          }
        }
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(null, "list", IoErrors.describe(e)));
    }
    java.util.Collections.sort(keys);
    java.util.List<Slot> slots = new java.util.ArrayList<>(keys.size());
    for (LockKey key : keys) {
      try {
        Option<Slot> slot = readSlot(key);
        if (slot.isDefined()) {
          slots.add(slot.get());
        }
      } catch (IOException e) {
        return Either.left(new StoreFailure(key, "list", IoErrors.describe(e)));
      }
    }
    return Either.right(slots);
  }

  /** Files kept aside for inspection (unreadable records that were replaced or deleted), by name. */
  public Either<StoreFailure, List<Path>> keptAside() {
    List<Path> kept = List.empty();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + RECORD_SUFFIX + CORRUPT_INFIX + "*")) {
      for (Path entry : entries) {
        kept = kept.append(entry);
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(null, "list kept-aside files", IoErrors.describe(e)));
    }
    return Either.right(kept.sortBy(Path::toString));
  }

  private static Option<LockKey> keyOf(String name) {
    try {
      return Option.some(new LockKey(name));
    } catch (IllegalArgumentException notAKey) {
      return Option.none();
    }
  }

  /** A record's bytes as read (at most one byte past the size a record may have), its size and version. */
  private record Raw(LockKey key, byte[] bytes, long size, long version) {}

  private Option<Slot> readSlot(LockKey key) throws IOException {
    Option<Raw> raw = readRaw(key);
    if (raw.isEmpty()) {
      return Option.none();
    }
    return Option.some(toSlot(raw.get(), RecordCodec.decode(raw.get().bytes())));
  }

  private Option<Raw> readRaw(LockKey key) throws IOException {
    Path path = recordPath(key);
    byte[] bytes;
    long size;
    try {
      RegularFiles.requireRegular(path); // a FIFO or device would block the open below; a symlink is refused too
    } catch (NoSuchFileException absent) {
      return Option.none();
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      size = channel.size();
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, RecordCodec.MAX_RECORD_BYTES + 1L));
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // fill up to the cap; a record larger than the cap is unreadable anyway
      }
      bytes = buffer.position() == buffer.capacity() ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
    } catch (NoSuchFileException absent) {
      return Option.none();
    } catch (FileSystemException e) {
      if (Files.isSymbolicLink(path)) {
        throw new FileSystemException(path.toString(), null, "is a symbolic link; refusing to follow it (remove it)");
      }
      throw e;
    }
    return Option.some(new Raw(key, bytes, size, version(bytes, size)));
  }

  private Slot toSlot(Raw raw, Either<String, LockRecord> decoded) {
    Path path = recordPath(raw.key());
    if (raw.size() > RecordCodec.MAX_RECORD_BYTES) {
      return new Slot.Unreadable(raw.key(), raw.version(), modifiedOrEpoch(path),
          "file is " + raw.size() + " bytes, more than a lock record's " + RecordCodec.MAX_RECORD_BYTES, raw.size());
    }
    return decoded.isRight()
        ? new Slot.Held(raw.key(), raw.version(), decoded.get())
        : new Slot.Unreadable(raw.key(), raw.version(), modifiedOrEpoch(path), decoded.getLeft(), raw.size());
  }

  private static Instant modified(Path path) throws IOException {
    return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant();
  }

  private static Instant modifiedOrEpoch(Path path) {
    try {
      return modified(path);
    } catch (IOException gone) {
      return Instant.EPOCH;
    }
  }

  /**
   * FNV-1a over the bytes, mixed with the file size. Not CRC32C: its class initialiser builds lookup tables in
   * interpreted code, a millisecond of every cold hook start.
   */
  private static long version(byte[] bytes, long size) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return hash ^ (size * 0x9E3779B97F4A7C15L);
  }

  /** Whether the record is still the one read: its version is of the raw bytes, so they are not decoded again. */
  private boolean unchanged(Slot expected) throws IOException {
    Option<Raw> current = readRaw(expected.key());
    return current.isDefined() && current.get().version() == expected.version();
  }

  private void keepAsideIfUnreadable(Slot expected) throws IOException {
    if (!(expected instanceof Slot.Unreadable)) {
      return;
    }
    Path record = recordPath(expected.key());
    // Formatter built here, not in a static field: it costs milliseconds, and this path is rare.
    DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    String base = record.getFileName() + CORRUPT_INFIX + time.format(Instant.now());
    Path aside = dir.resolve(base);
    for (int n = 1; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); n++) {
      aside = dir.resolve(base + "-" + n);
    }
    try {
      Files.createLink(aside, record);
    } catch (UnsupportedOperationException | IOException noHardLinks) {
      Files.copy(record, aside, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  private void writeAtomically(LockKey key, byte[] bytes) throws IOException {
    AtomicWrite.write(recordPath(key), bytes, AtomicWrite.Mode.PRIVATE, durable);
  }

  private void syncDirectory() throws IOException {
    if (durable && dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
        directory.force(true);
      }
    }
  }

  /**
   * The compare-and-write of one conditional operation, under the key's guard: the in-process and the OS lock of
   * its stripe, each waited for with {@code tryLock} until the guard timeout.
   */
  private Either<StoreFailure, WriteOutcome> guarded(LockKey key, String operation, StripedGuard.Guarded<WriteOutcome> action) {
    return guard.exclusively(key, operation, action);
  }
}
