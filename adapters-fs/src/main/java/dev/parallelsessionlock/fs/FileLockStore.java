package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;
import java.nio.channels.OverlappingFileLockException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link LockStore} of one JSON file per key, {@code <dir>/<key>.json}, shared by every process of the user.
 * With the key {@code session-lock-<hash>} and the directory {@code ~/.claude/runtime} this is the seed's
 * location.
 *
 * <ul>
 *   <li>Conditional writes compare and write under an exclusive OS lock on one of {@value #STRIPES} guard files
 *       {@code <dir>/.session-lock.guard-NN}, chosen by the key (the kernel drops it when a holder process dies),
 *       and an in-process lock, since an OS file lock is held per JVM. So a process stuck holding one guard (a
 *       stopped terminal, a hung network file system) delays only the keys of that stripe, and only until the
 *       guard timeout: every wait is a {@code tryLock} against it, answered as a {@link StoreFailure}. The
 *       in-process locks are keyed by the directory's file identity (device and inode), so one directory reached
 *       through a bind mount or a symlink shares them, and entries are dropped when no thread uses them.
 *       Reads take no lock: records change only by atomic rename, so a reader sees the old file or the new one,
 *       never a torn one.</li>
 *   <li>A slot's version is a 64-bit FNV-1a hash of its bytes and their length: unchanged bytes mean an
 *       unchanged lease.</li>
 *   <li>Unreadable bytes that are replaced or deleted are first linked (or copied) to
 *       {@code <key>.json.corrupt-<UTC time>} beside the record.</li>
 *   <li>The directory is created 0700, records 0600 (POSIX). A directory owned by another user or writable by
 *       others is refused; a symlinked directory is followed; a symlink, FIFO, socket, device or directory at a
 *       record's or a guard's path is refused before it is opened ({@link RegularFiles}), so it cannot hang a
 *       read.</li>
 *   <li>{@code durable} adds fsync of each record and the directory (about 0.7 ms here). Off by default: a lock
 *       record need not survive a power loss, since its holders die with the machine.</li>
 * </ul>
 */
public final class FileLockStore implements LockStore {

  static final String RECORD_SUFFIX = ".json";
  static final String GUARD_NAME = ".session-lock.guard";
  /** How many guard files keys are spread over. */
  static final int STRIPES = 64;
  /** How long a conditional write waits for its guard unless the caller says otherwise. */
  public static final Duration DEFAULT_GUARD_TIMEOUT = Duration.ofSeconds(10);
  static final String TEMP_INFIX = ".tmp-";
  private static final String CORRUPT_INFIX = ".corrupt-";
  /** In-process guards by directory identity and stripe, with the number of threads using each. */
  private static final Map<String, InProcessGuard> IN_PROCESS = new HashMap<>();
  private static final AtomicLong TEMP_COUNTER = new AtomicLong();
  private static final long TEMP_SALT = System.identityHashCode(TEMP_COUNTER) * 0x9E3779B97F4A7C15L;

  private final Path dir;
  private final String identity;
  private final boolean durable;
  private final boolean posix;
  private final long guardTimeoutNanos;

  private FileLockStore(Path dir, String identity, boolean durable, boolean posix, Duration guardTimeout) {
    this.dir = dir;
    this.identity = identity;
    this.durable = durable;
    this.posix = posix;
    this.guardTimeoutNanos = guardTimeout.toNanos();
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
    if (guardTimeout.isNegative()) {
      throw new IllegalArgumentException("guard timeout must not be negative: " + guardTimeout);
    }
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
      return Either.right(new FileLockStore(real, identity, durable, posix, guardTimeout));
    } catch (IOException e) {
      // describe names the file already
      return Either.left(new StoreFailure(null, "use lock directory", describe(e)));
    } catch (SecurityException e) {
      return refuse(dir, "not permitted");
    }
  }

  private static Either<StoreFailure, FileLockStore> refuse(Path dir, String why) {
    return Either.left(new StoreFailure(null, "use lock directory", dir + ": " + why));
  }

  /** The directory, with symlinks resolved. */
  public Path directory() {
    return dir;
  }

  /** The guard file whose OS lock serializes the writes of {@code key} (and of the other keys of its stripe). */
  Path guardPath(LockKey key) {
    int hash = 0x811c9dc5;
    String name = key.name();
    for (int i = 0; i < name.length(); i++) {
      hash = (hash ^ name.charAt(i)) * 0x01000193;
    }
    int stripe = (hash >>> 8) % STRIPES;
    return dir.resolve(GUARD_NAME + "-" + (stripe < 16 ? "0" : "") + Integer.toHexString(stripe));
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
      return Either.left(new StoreFailure(key, "read", describe(e)));
    }
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    return guarded(key, "create", new Guarded<WriteOutcome>() {
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
    if (!name.contains(RECORD_SUFFIX + TEMP_INFIX)) {
      return;
    }
    try {
      if (Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
        Files.deleteIfExists(entry);
      }
    } catch (IOException raced) {
      // renamed or removed meanwhile: nothing to sweep
    }
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    return guarded(expected.key(), "replace", new Guarded<WriteOutcome>() {
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
    return guarded(expected.key(), "delete", new Guarded<WriteOutcome>() {
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
    long tempCutoff = System.currentTimeMillis() - 60_000;
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
      return Either.left(new StoreFailure(null, "list", describe(e)));
    }
    java.util.List<Object> read = keys.parallelStream().map(key -> {
      try {
        return (Object) readRaw(key);
      } catch (IOException e) {
        return new StoreFailure(key, "list", describe(e));
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
      return Either.left(new StoreFailure(null, "list", describe(e)));
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
        return Either.left(new StoreFailure(key, "list", describe(e)));
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
      return Either.left(new StoreFailure(null, "list kept-aside files", describe(e)));
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
    Path target = recordPath(key);
    // Unique without a random generator (its initialisation shows in hook start-up): CREATE_NEW refuses a clash.
    Path temp = dir.resolve(target.getFileName() + TEMP_INFIX + Long.toHexString(System.nanoTime() ^ TEMP_SALT)
        + "-" + TEMP_COUNTER.incrementAndGet());
    try {
      try (FileChannel channel = FileChannel.open(temp, createNew(), privateFile())) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (durable) {
          channel.force(true);
        }
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the filesystem of " + dir + " cannot rename atomically", e);
      }
      syncDirectory();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static Set<OpenOption> createNew() {
    return Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  private FileAttribute<?>[] privateFile() {
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))}
        : new FileAttribute<?>[0];
  }

  private void syncDirectory() throws IOException {
    if (durable && posix) {
      try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
        directory.force(true);
      }
    }
  }

  /**
   * The compare-and-write of one conditional operation, under the in-process and the OS lock of the key's
   * stripe, each waited for with {@code tryLock} until the guard timeout.
   */
  private Either<StoreFailure, WriteOutcome> guarded(LockKey key, String operation, Guarded<WriteOutcome> action) {
    return exclusively(key, operation, action);
  }

  /**
   * Runs {@code action} under the guard of {@code key} (the in-process and the OS lock of its stripe, waited for
   * until the guard timeout), as this store's own conditional writes run: for stores and tools that keep state
   * elsewhere (a work item's frontmatter) and need the same cross-process exclusion.
   */
  public <T> Either<StoreFailure, T> exclusively(LockKey key, String operation, Guarded<T> action) {
    Path guard = guardPath(key);
    long deadline = System.nanoTime() + guardTimeoutNanos;
    InProcessGuard local = InProcessGuard.enter(identity + " " + guard.getFileName());
    try {
      if (!local.lock.tryLock(guardTimeoutNanos, TimeUnit.NANOSECONDS)) {
        return Either.left(busy(key, operation, guard, "another thread of this process"));
      }
      RegularFiles.requireRegularOrAbsent(guard); // opening a FIFO for writing blocks until a reader comes
      try (FileChannel channel = FileChannel.open(guard,
          Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), privateFile())) {
        FileLock os = tryLockUntil(channel, deadline);
        if (os == null) {
          return Either.left(busy(key, operation, guard, "another process (a stopped or hung one?)"));
        }
        try {
          return Either.right(action.run());
        } finally {
          os.release();
        }
      } finally {
        local.lock.unlock();
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, operation, describe(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Either.left(new StoreFailure(key, operation, "interrupted while waiting for " + guard));
    } finally {
      InProcessGuard.leave(local);
    }
  }

  /** The OS lock on {@code channel}, polled with a growing pause until {@code deadline}; null when it stays held. */
  private static FileLock tryLockUntil(FileChannel channel, long deadline) throws IOException, InterruptedException {
    long pauseMillis = 1;
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameJvm) {
        lock = null; // held through another channel of this JVM; wait for it like for another process
      }
      if (lock != null) {
        return lock;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Thread.sleep(Math.max(1, Math.min(pauseMillis, TimeUnit.NANOSECONDS.toMillis(left))));
      pauseMillis = Math.min(pauseMillis * 2, 25);
    }
  }

  private StoreFailure busy(LockKey key, String operation, Path guard, String holder) {
    return new StoreFailure(key, operation, "timed out after " + TimeUnit.NANOSECONDS.toMillis(guardTimeoutNanos)
        + " ms waiting for " + guard + ", held by " + holder);
  }

  /** An in-process lock shared by every store of one directory and stripe, dropped when unused. */
  private static final class InProcessGuard {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    int users;

    private InProcessGuard(String name) {
      this.name = name;
    }

    static InProcessGuard enter(String name) {
      synchronized (IN_PROCESS) {
        InProcessGuard guard = IN_PROCESS.get(name);
        if (guard == null) {
          guard = new InProcessGuard(name);
          IN_PROCESS.put(name, guard);
        }
        guard.users++;
        return guard;
      }
    }

    static void leave(InProcessGuard guard) {
      synchronized (IN_PROCESS) {
        if (--guard.users == 0) {
          IN_PROCESS.remove(guard.name);
        }
      }
    }
  }

  /** How many in-process guards exist now (each is dropped when no thread uses it). */
  static int inProcessGuards() {
    synchronized (IN_PROCESS) {
      return IN_PROCESS.size();
    }
  }

  /**
   * The body of a guarded action. Anonymous classes implement it, not lambdas: every hook process runs this,
   * and the hook path loads no lambda class (HookStartupIT).
   */
  public interface Guarded<T> {
    T run() throws IOException;
  }

  /** One line: what failed and on which file, in words, without a stack trace or an exception's class name. */
  public static String describe(Exception e) {
    if (e instanceof FileSystemException) {
      FileSystemException fs = (FileSystemException) e;
      return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : reason(fs));
    }
    return e.getMessage() == null ? "input/output error" : e.getMessage();
  }

  /** What the JDK's file exceptions that carry no reason mean, for a person. */
  private static String reason(FileSystemException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return e.getFile() != null && !Files.isDirectory(Path.of(e.getFile()))
          ? "exists and is not a folder" : "already exists";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NotDirectoryException) {
      return "not a folder";
    }
    if (e instanceof java.nio.file.DirectoryNotEmptyException) {
      return "folder not empty";
    }
    if (e instanceof java.nio.file.FileSystemLoopException) {
      return "a loop of symbolic links";
    }
    if (e instanceof java.nio.file.AtomicMoveNotSupportedException) {
      return "cannot be renamed atomically on this file system";
    }
    return "cannot be used";
  }
}
