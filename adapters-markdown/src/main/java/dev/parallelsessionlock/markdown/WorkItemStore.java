package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.RegularFiles;
import dev.parallelsessionlock.store.StripedGuard;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link LockStore} whose records are work-item claims in markdown frontmatter: {@code locked_by} is the
 * session, {@code locked_at} the lease start, the lease lasts {@code staleAfter}; nothing is stored but those
 * two values, so the item stays the user's file. The protocol (claim, renew, refuse, take over a stale or dead
 * claim, release only by the holder) is {@code ParallelSessionLock}'s, unchanged.
 *
 * <ul>
 *   <li>Every write reads, compares and writes under the item key's {@link StripedGuard} in the claims folder,
 *       by {@link AtomicWrite} with fsync: a killed claimer leaves the old file or the new one, never a torn one.
 *       Only the two values change ({@link FrontMatter}).</li>
 *   <li>Which agent process a session runs in is kept in the claims folder ({@link SessionPresence}), not in the
 *       item: a claim whose session's process is gone is taken over at once; an unknown session waits out
 *       {@code staleAfter}.</li>
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

  private final StripedGuard guard;
  private final SessionPresence presence;
  private final Duration staleAfter;
  private final Items items;

  /**
   * A store of the items {@code items} names; {@code claims} (a lock directory of its own) holds the guards and
   * the sessions' presence records.
   */
  public WorkItemStore(LockDirectory claims, Duration staleAfter, Items items) {
    this.guard = StripedGuard.of(claims, StripedGuard.DEFAULT_TIMEOUT);
    this.presence = new SessionPresence(claims);
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
      return Either.left(new StoreFailure(key, "read work item", IoErrors.describe(e)));
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
    Either<StoreFailure, WriteOutcome> written = guard.exclusively(key, operation,
        new StripedGuard.Guarded<WriteOutcome>() {
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
      presence.note(next.get());
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
    LockRecord record = new LockRecord(LockRecord.SCHEMA_VERSION, session, presence.of(session), at, staleAfter, at, 0,
        new LockRecord.Details(Option.some(path.toString()), Option.none()));
    return Option.some(new Read(version, frontMatter, Option.some(record)));
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
   * Writes {@code bytes} over {@code file} (a symlink is written through to its target) with its permissions and
   * fsync, by {@link AtomicWrite}; temp files a killed writer left beside it are swept first.
   */
  static void replaceAtomically(Path file, byte[] bytes) throws IOException {
    Path target = file.toRealPath();
    AtomicWrite.sweep(target);
    AtomicWrite.write(target, bytes, AtomicWrite.Mode.KEEP, /* durable= */ true);
  }
}
