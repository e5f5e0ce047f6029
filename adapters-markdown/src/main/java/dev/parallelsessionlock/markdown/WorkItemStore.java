package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.fs.RegularFiles;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A {@link LockStore} whose records are work-item claims in markdown frontmatter: {@code locked_by} is the
 * session, {@code locked_at} the lease start, the lease lasts {@code staleAfter}; nothing is stored but those
 * two values, so the item stays the user's file. The protocol (claim, renew, refuse, take over a stale or dead
 * claim, release only by the holder) is {@code ParallelSessionLock}'s, unchanged.
 *
 * <ul>
 *   <li>Every write reads, compares and writes under the OS lock of the item's key (the lock directory's guard),
 *       through a temp file beside the item and an atomic rename, with fsync: a killed claimer leaves the old file
 *       or the new one, never a torn one. Only the two values change ({@link FrontMatter}).</li>
 *   <li>Which agent process a session runs in is kept in the lock directory (a presence record per session,
 *       written when a session with a known process claims), not in the item: a claim whose session's process is
 *       gone is taken over at once; an unknown session waits out {@code staleAfter}.</li>
 *   <li>A slot's version is a hash of the item's bytes: any edit in between, ours or a person's, makes a
 *       conditional write lose.</li>
 * </ul>
 */
public final class WorkItemStore implements LockStore {

  /** Which file each key stands for, and every key known. */
  public interface Items {
    Option<Path> pathOf(LockKey key);

    List<LockKey> keys();
  }

  private final FileLockStore claims;
  private final Duration staleAfter;
  private final Items items;

  /**
   * A store of the items {@code items} names; {@code claims} (a lock directory of its own) holds the guards and
   * the sessions' presence records.
   */
  public WorkItemStore(FileLockStore claims, Duration staleAfter, Items items) {
    this.claims = claims;
    this.staleAfter = staleAfter;
    this.items = items;
  }

  /** An item's bytes that cannot hold a claim: reported with file and line. */
  static final class MalformedItem extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Malformed malformed;

    MalformedItem(Malformed malformed) {
      super(malformed.describe());
      this.malformed = malformed;
    }
  }

  /** What one read found: the bytes' version, their frontmatter, the claim as a record. */
  private record Read(long version, FrontMatter frontMatter, Option<LockRecord> claim) {}

  @Override
  public Either<StoreFailure, Option<Slot>> read(LockKey key) {
    Option<Path> path = items.pathOf(key);
    if (path.isEmpty()) {
      return Either.right(Option.none());
    }
    try {
      Option<Read> read = readItem(path.get());
      if (read.isEmpty() || read.get().claim().isEmpty()) {
        return Either.right(Option.none());
      }
      return Either.right(Option.some(new Slot.Held(key, read.get().version(), read.get().claim().get())));
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, "read work item", FileLockStore.describe(e)));
    }
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    return write(key, "claim", Option.none(), Option.some(record));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    return write(expected.key(), "claim", Option.some(expected), Option.some(next));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    return write(expected.key(), "unclaim", Option.some(expected), Option.none());
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    List<Slot> slots = List.empty();
    for (LockKey key : items.keys()) {
      Either<StoreFailure, Option<Slot>> slot = read(key);
      if (slot.isLeft()) {
        return Either.left(slot.getLeft());
      }
      slots = slots.appendAll(slot.get());
    }
    return Either.right(slots.sortBy(Slot::key));
  }

  /**
   * The conditional write: under the key's guard, the item must be unclaimed ({@code expected} none) or exactly
   * as read ({@code expected}'s version); then the claim becomes {@code next} (none: unclaimed).
   */
  private Either<StoreFailure, WriteOutcome> write(LockKey key, String operation, Option<Slot> expected,
      Option<LockRecord> next) {
    Option<Path> path = items.pathOf(key);
    if (path.isEmpty()) {
      return Either.left(new StoreFailure(key, operation, "no work item is known under this key"));
    }
    Either<StoreFailure, WriteOutcome> written = claims.exclusively(key, operation,
        new FileLockStore.Guarded<WriteOutcome>() {
          @Override
          public WriteOutcome run() throws IOException {
            Option<Read> current = readItem(path.get());
            if (current.isEmpty()) {
              throw new NoSuchFileException(path.get().toString());
            }
            boolean matches = expected.isEmpty()
                ? current.get().claim().isEmpty()
                : current.get().claim().isDefined() && current.get().version() == expected.get().version();
            if (!matches) {
              return WriteOutcome.CONFLICT;
            }
            String text = next.isDefined()
                ? current.get().frontMatter().withClaim(next.get().sessionId(),
                    next.get().acquiredAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                : current.get().frontMatter().withoutClaim();
            replaceAtomically(path.get(), text.getBytes(StandardCharsets.UTF_8));
            return WriteOutcome.WRITTEN;
          }
        });
    if (written.isRight() && written.get() == WriteOutcome.WRITTEN && next.isDefined()) {
      notePresence(next.get());
    }
    return written;
  }

  private Option<Read> readItem(Path path) throws IOException {
    byte[] bytes;
    try {
      RegularFiles.requireRegular(path, true); // a FIFO would block the read; a symlinked item is fine
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException gone) {
      return Option.none();
    }
    Either<Malformed, FrontMatter> parsed = FrontMatter.parse(path, bytes);
    if (parsed.isLeft()) {
      throw new MalformedItem(parsed.getLeft());
    }
    FrontMatter frontMatter = parsed.get();
    long version = version(bytes);
    Either<Malformed, Option<Instant>> claimedAt = frontMatter.claimedAt();
    if (claimedAt.isLeft()) {
      throw new MalformedItem(claimedAt.getLeft());
    }
    if (claimedAt.get().isEmpty()) {
      return Option.some(new Read(version, frontMatter, Option.none()));
    }
    String session = frontMatter.lockedBy().get();
    Instant at = claimedAt.get().get();
    LockRecord record = new LockRecord(LockRecord.SCHEMA_VERSION, session, presence(session), at, staleAfter, at, 0,
        new LockRecord.Details(Option.some(path.toString()), Option.none()));
    return Option.some(new Read(version, frontMatter, Option.some(record)));
  }

  /** The process the session was last seen claiming in, or unknown. */
  private ProcessRef presence(String session) {
    Either<StoreFailure, Option<Slot>> seen = claims.read(presenceKey(session));
    if (seen.isRight() && seen.get().isDefined() && seen.get().get() instanceof Slot.Held held
        && held.record().sessionId().equals(session)) {
      return held.record().holder();
    }
    return ProcessRef.unknown(Option.none());
  }

  /** Records the claiming session's process, when known; a hint, so a lost race is fine. */
  private void notePresence(LockRecord claim) {
    if (!claim.holder().isKnown()) {
      return;
    }
    LockKey key = presenceKey(claim.sessionId());
    LockRecord presence = new LockRecord(LockRecord.SCHEMA_VERSION, claim.sessionId(), claim.holder(),
        claim.acquiredAt(), Duration.ofDays(1), claim.acquiredAt());
    Either<StoreFailure, Option<Slot>> current = claims.read(key);
    if (current.isLeft()) {
      return;
    }
    if (current.get().isEmpty()) {
      claims.create(key, presence);
    } else {
      claims.replace(current.get().get(), presence);
    }
  }

  static LockKey presenceKey(String session) {
    return new LockKey("session-" + dev.parallelsessionlock.core.WorkspaceHash.of(session).hex());
  }

  /** FNV-1a over the bytes, mixed with their length. */
  static long version(byte[] bytes) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return hash ^ ((long) bytes.length << 1);
  }

  /**
   * Writes {@code bytes} over {@code file} (a symlink is written through to its target): a temp file beside it
   * with its permissions, fsync, atomic rename, fsync of the folder. Temp files a killed writer left are swept.
   */
  static void replaceAtomically(Path file, byte[] bytes) throws IOException {
    Path target = file.toRealPath();
    Path dir = target.getParent();
    String prefix = "." + target.getFileName() + ".claim-";
    sweep(dir, prefix);
    Path temp = Files.createTempFile(dir, prefix, ".tmp");
    try {
      try {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(temp, mode);
      } catch (UnsupportedOperationException notPosix) {
        // the default mode of a new file
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
      folder.force(true);
    } catch (IOException notSupported) {
      // some file systems cannot sync a directory; the rename is still atomic
    }
  }

  /** Removes temp files of this item that are more than a minute old (a writer killed between write and rename). */
  private static void sweep(Path dir, String prefix) {
    long cutoff = System.currentTimeMillis() - 60_000;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(".tmp")
            && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < cutoff) {
          Files.deleteIfExists(entry);
        }
      }
    } catch (IOException ignored) {
      // nothing to sweep, or it went meanwhile
    }
  }
}
