package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Locks on single files of a workspace, for agent sessions and plan tasks in one namespace: the lock protocol of
 * {@link ParallelSessionLock} under {@link LockKey#file} keys, nothing else. A file is held by at most one holder
 * of either kind; the ownership rules (the same session, a task and the session it was taken from) are
 * {@link Claimant}'s.
 *
 * <ul>
 *   <li>{@link #acquire}: all or nothing. Every file is tried; when one is held by another holder, each file this
 *       call took is given back and the answer names every held file and its holder.</li>
 *   <li>One namespace with the workspace lease ({@link WorkspaceLease}), as multi-granularity locking: the file
 *       records an acquire writes are its intention locks on the work tree. After writing them it reads the work
 *       tree's workspace lease; another session's fresh one makes it back off (it gives back what it took and names
 *       the lease). A workspace acquire writes its lease first and then reads the file records, so of two racers
 *       at least one sees the other. Until its check has passed, what an acquire wrote is marked (a single file:
 *       its {@code pending_since} mark, cleared after the check; several files: the attempt tag, pending while the
 *       intent below is there), and another call of the same holder waits for it ({@link LockFailure.Busy})
 *       instead of renewing it as its own. Renewing locks the holder already held, fresh and settled, needs no
 *       check and never backs off: the existing holder wins.</li>
 *   <li>A crash half-way leaves nothing that stays: an acquire of several files first creates an intent record
 *       ({@link LockKey#intent}) naming its holder, its writer (the process running the acquire, {@link
 *       #withWriter}) and the work trees of its files, tags every lock it takes or must check with the attempt
 *       ({@link LockRecord.Details#attempt}), and removes the intent after its last file. An acquire (or a
 *       workspace lease, or a git guard) that meets a lock whose attempt's intent is still there and whose writer is
 *       provably dead (or whose lease ran out) frees that attempt's tagged locks and its intent, and goes on. Locks
 *       the holder already held, fresh and settled, are renewed untagged, so they are never freed this way.</li>
 *   <li>{@link #release}, {@link #releaseAll}: only the caller's own locks; {@link #releaseAll} finds them through
 *       the {@link HolderIndex}, or by reading every file lock when asked to scan.</li>
 * </ul>
 *
 * <p>Runs on the hook path: no lambdas and no vavr collections (HookStartupIT).
 */
public final class FileLocks {

  /** Ids tried for one intent record before the acquire gives up (two acquires of one writer in one millisecond). */
  private static final int INTENT_IDS = 8;

  /**
   * One file: the workspace it belongs to and its canonical path (the adapter resolves symlinks and {@code ..};
   * this type only uses the string).
   */
  public record LockedFile(WorkspaceHash workspace, String path) {
    public LockedFile {
      Objects.requireNonNull(workspace, "workspace");
      Objects.requireNonNull(path, "path");
    }

    public LockKey key() {
      return LockKey.file(workspace, path);
    }
  }

  private final ParallelSessionLock lock;
  private final LockStore store;
  private final HolderIndex index;
  private final Option<ProcessRef> writer;

  private FileLocks(ParallelSessionLock lock, LockStore store, HolderIndex index, Option<ProcessRef> writer) {
    this.lock = Objects.requireNonNull(lock, "lock");
    this.store = Objects.requireNonNull(store, "store");
    this.index = Objects.requireNonNull(index, "index");
    this.writer = Objects.requireNonNull(writer, "writer");
  }

  /** File locks over {@code lock}, which runs on {@code store}; {@code index} finds a holder's files. */
  public static FileLocks of(ParallelSessionLock lock, LockStore store, HolderIndex index) {
    return new FileLocks(lock, store, index, Option.none());
  }

  /**
   * A copy whose acquires of several files name {@code process} as the writer of their intent record: the process
   * that runs the acquire (a hook or a command, not the agent, which outlives it), so that a crash half-way is seen
   * the moment it dies. Without one the claimant's own process is named, and such a crash is seen only when that
   * process dies or the intent's lease ends.
   */
  public FileLocks withWriter(ProcessRef process) {
    return new FileLocks(lock, store, index, Option.some(Objects.requireNonNull(process, "process")));
  }

  public ParallelSessionLock lock() {
    return lock;
  }

  /**
   * Takes or renews every file in {@code files} for {@code claimant} for {@code ttl}, or none of them. Files are
   * taken in key order, so two callers that want overlapping sets meet on the same first file. Blocked by another
   * holder's file, or by another session's workspace lease on a work tree of the files (then the answer names the
   * lease, with its workspace key): every file this call took is given back, as it found it. {@link
   * LockFailure.Busy} when another call of the same holder is still taking one of the files: try again.
   */
  public Either<LockFailure, FileAcquisition> acquire(List<LockedFile> files, Claimant claimant, Duration ttl) {
    Map<LockKey, LockedFile> byKey = byKey(files);
    Option<String> attempt = Option.none();
    if (byKey.size() > 1) {
      Either<LockFailure, String> begun = begin(byKey, claimant, ttl);
      if (begun.isLeft()) {
        return Either.left(begun.getLeft());
      }
      attempt = Option.some(begun.get());
    }
    List<ParallelSessionLock.Grant.Granted> granted = new ArrayList<>();
    Either<LockFailure, FileAcquisition> outcome = take(byKey, claimant, ttl, attempt, granted);
    boolean took = outcome.isRight() && outcome.get() instanceof FileAcquisition.Acquired;
    if (!took) {
      rollBack(granted, claimant);
    }
    if (attempt.isDefined()) {
      // Only now: a crash before this point leaves the intent, and whoever meets the files frees them.
      Either<LockFailure, Boolean> ended = end(attempt.get());
      if (ended.isLeft() && took) {
        rollBack(granted, claimant);
        return Either.left(ended.getLeft());
      }
    }
    return outcome;
  }

  /**
   * Takes the files one by one into {@code granted}; then, for the files that were not already the holder's,
   * reads the workspace lease of their work trees; then settles a single file's pending mark.
   */
  private Either<LockFailure, FileAcquisition> take(Map<LockKey, LockedFile> byKey, Claimant claimant, Duration ttl,
      Option<String> attempt, List<ParallelSessionLock.Grant.Granted> granted) {
    List<Acquisition.Blocked> blocked = new ArrayList<>();
    for (Map.Entry<LockKey, LockedFile> file : byKey.entrySet()) {
      LockKey key = file.getKey();
      // Intent first: the index names every key the holder may hold, even after a crash right after the write.
      Either<StoreFailure, LockKey> noted = index.add(claimant.sessionId(), key);
      if (noted.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(noted.getLeft()));
      }
      Either<LockFailure, ParallelSessionLock.Grant> result =
          grantOne(key, file.getValue().path(), claimant, ttl, attempt);
      if (result.isLeft()) {
        forget(claimant, key);
        return Either.left(result.getLeft());
      }
      ParallelSessionLock.Grant grant = result.get();
      if (grant instanceof ParallelSessionLock.Grant.Granted got) {
        granted.add(got);
      } else if (grant instanceof ParallelSessionLock.Grant.Refused refused) {
        blocked.add(refused.blocked());
        forget(claimant, key);
      } else {
        // Busy: another call of this holder is taking it (its index entry stays); this call tries again later.
        return Either.left(new LockFailure.Busy(key));
      }
    }
    if (!blocked.isEmpty()) {
      return Either.right(new FileAcquisition.Blocked(blocked));
    }
    // The other granularity, read after our own writes: the workspace lease of every work tree we newly hold in.
    List<String> checked = new ArrayList<>();
    for (ParallelSessionLock.Grant.Granted got : granted) {
      WorkspaceHash workspace = byKey.get(got.acquired().key()).workspace();
      if (got.checked() || checked.contains(workspace.hex())) {
        continue;
      }
      checked.add(workspace.hex());
      Either<LockFailure, Option<Acquisition.Blocked>> lease = workspaceHolder(workspace, claimant);
      if (lease.isLeft()) {
        return Either.left(lease.getLeft());
      }
      if (lease.get().isDefined()) {
        blocked.add(lease.get().get());
      }
    }
    if (!blocked.isEmpty()) {
      return Either.right(new FileAcquisition.Blocked(blocked));
    }
    List<Acquisition.Acquired> acquired = new ArrayList<>();
    for (ParallelSessionLock.Grant.Granted got : granted) {
      if (!got.checked() && attempt.isEmpty()) {
        Either<LockFailure, Boolean> settled = lock.settle(got.acquired());
        if (settled.isLeft()) {
          return Either.left(settled.getLeft());
        }
        if (!settled.get()) {
          return Either.left(new LockFailure.Contended(got.acquired().key(), 1));
        }
      }
      acquired.add(got.acquired());
    }
    return Either.right(new FileAcquisition.Acquired(acquired));
  }

  /**
   * One file. When the lock it meets was newly taken by an acquire whose writer died half-way, that acquire's
   * files are freed first and the file is tried again.
   */
  private Either<LockFailure, ParallelSessionLock.Grant> grantOne(LockKey key, String path, Claimant claimant,
      Duration ttl, Option<String> attempt) {
    Either<LockFailure, ParallelSessionLock.Grant> result = null;
    for (int round = 0; round < 3; round++) {
      result = lock.grant(key, claimant, ttl, Option.some(path), attempt, attempts);
      if (result.isLeft() || !(result.get() instanceof ParallelSessionLock.Grant.Abandoned abandoned)) {
        return result;
      }
      Either<LockFailure, Boolean> freed = releaseAbandoned(abandoned.met());
      if (freed.isLeft()) {
        return Either.left(freed.getLeft());
      }
    }
    return Either.left(new LockFailure.Contended(key, 3));
  }

  /** Where the acquire that tagged a record stands: its intent record and the liveness of that intent's writer. */
  private final ParallelSessionLock.Attempts attempts = new ParallelSessionLock.Attempts() {
    @Override
    public Either<LockFailure, ParallelSessionLock.AttemptState> stateOf(LockRecord record) {
      Either<LockFailure, Option<Slot.Held>> intent = intentOf(record);
      if (intent.isLeft()) {
        return Either.left(intent.getLeft());
      }
      if (intent.get().isEmpty()) {
        return Either.right(ParallelSessionLock.AttemptState.SETTLED);
      }
      return Either.right(abandoned(intent.get().get().record())
          ? ParallelSessionLock.AttemptState.ABANDONED : ParallelSessionLock.AttemptState.RUNNING);
    }
  };

  /** The intent record of the acquire that tagged {@code record}, when it is still there. */
  private Either<LockFailure, Option<Slot.Held>> intentOf(LockRecord record) {
    String attempt = record.details().attempt().get();
    if (!isAttemptId(attempt)) {
      return Either.right(Option.none());
    }
    Either<StoreFailure, Option<Slot>> read = store.read(LockKey.intent(attempt));
    if (read.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(read.getLeft()));
    }
    if (read.get().isEmpty() || !(read.get().get() instanceof Slot.Held held) || !tagged(held.record(), attempt)
        || !held.record().sessionId().equals(record.sessionId())) {
      return Either.right(Option.none());
    }
    return Either.right(Option.some(held));
  }

  /** An intent whose writer is provably dead, or that outlived its lease: its acquire will never finish. */
  private boolean abandoned(LockRecord intent) {
    return intent.isStaleAt(lock.now()) || lock.liveness().of(intent.holder()) == Liveness.DEAD;
  }

  /**
   * Creates the intent record of an acquire of several files and returns its attempt id. Its holder is the
   * writer (the process running this acquire); its session is the claimant's; its path names the key prefixes of
   * the work trees the files are in, space-separated.
   */
  private Either<LockFailure, String> begin(Map<LockKey, LockedFile> byKey, Claimant claimant, Duration ttl) {
    StringBuilder prefixes = new StringBuilder();
    for (LockedFile file : byKey.values()) {
      String prefix = LockKey.filePrefix(file.workspace());
      if (prefixes.indexOf(prefix) < 0) {
        prefixes.append(prefixes.length() == 0 ? "" : " ").append(prefix);
      }
    }
    ProcessRef process = writer.isDefined() ? writer.get() : claimant.process();
    Instant now = lock.now();
    String started = process.identity().isDefined() ? Long.toString(process.identity().get().startTicks())
        : process.startedAt().isDefined() ? process.startedAt().get().toString() : "";
    LockKey key = null;
    for (int n = 0; n < INTENT_IDS; n++) {
      String id = Md5.hex(claimant.sessionId() + "\n" + process.pid() + "\n" + started + "\n" + now.toEpochMilli()
          + "\n" + n).substring(0, 20);
      key = LockKey.intent(id);
      LockRecord intent = new LockRecord(LockRecord.SCHEMA_VERSION, claimant.sessionId(), process, now, ttl, now,
          now.toEpochMilli(), new LockRecord.Details(Option.some(prefixes.toString()), Option.none(), claimant.task(),
              claimant.boundSession(), claimant.agent(), Option.some(id), Option.none()));
      Either<StoreFailure, WriteOutcome> created = store.create(key, intent);
      if (created.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(created.getLeft()));
      }
      if (created.get() == WriteOutcome.WRITTEN) {
        return Either.right(id);
      }
    }
    return Either.left(new LockFailure.Contended(key, INTENT_IDS));
  }

  /** Removes the intent record of {@code attempt}, if it is still that one. */
  private Either<LockFailure, Boolean> end(String attempt) {
    LockKey key = LockKey.intent(attempt);
    Either<StoreFailure, Option<Slot>> read = store.read(key);
    if (read.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(read.getLeft()));
    }
    if (read.get().isEmpty() || !(read.get().get() instanceof Slot.Held held) || !tagged(held.record(), attempt)) {
      return Either.right(Boolean.FALSE);
    }
    Either<StoreFailure, WriteOutcome> deleted = store.delete(held);
    if (deleted.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(deleted.getLeft()));
    }
    return Either.right(deleted.get() == WriteOutcome.WRITTEN);
  }

  /**
   * When {@code met} was newly taken by an acquire whose intent record is still there and whose writer is provably
   * dead: frees every lock that acquire newly took (each with a conditional delete, only while it still carries the
   * acquire's tag and its holder), then the intent. Answers whether it found such an acquire.
   */
  private Either<LockFailure, Boolean> releaseAbandoned(LockRecord met) {
    Either<LockFailure, Option<Slot.Held>> found = intentOf(met);
    if (found.isLeft()) {
      return Either.left(found.getLeft());
    }
    if (found.get().isEmpty() || !abandoned(found.get().get().record())) {
      return Either.right(Boolean.FALSE);
    }
    Slot.Held held = found.get().get();
    LockRecord intent = held.record();
    String attempt = intent.details().attempt().get();
    String prefixes = intent.details().path().isDefined() ? intent.details().path().get() : "";
    int from = 0;
    while (from < prefixes.length()) {
      int to = prefixes.indexOf(' ', from);
      String prefix = prefixes.substring(from, to < 0 ? prefixes.length() : to);
      from = to < 0 ? prefixes.length() : to + 1;
      if (!prefix.startsWith(LockKey.FILE_PREFIX)) {
        continue;
      }
      Either<StoreFailure, List<Slot>> slots = store.slots(prefix);
      if (slots.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(slots.getLeft()));
      }
      for (Slot slot : slots.get()) {
        if (slot instanceof Slot.Held file && tagged(file.record(), attempt)
            && file.record().sessionId().equals(intent.sessionId())) {
          Either<StoreFailure, WriteOutcome> deleted = store.delete(slot);
          if (deleted.isLeft()) {
            return Either.left(new LockFailure.StoreUnavailable(deleted.getLeft()));
          }
          if (deleted.get() == WriteOutcome.WRITTEN) {
            index.remove(intent.sessionId(), slot.key());
          }
        }
      }
    }
    Either<StoreFailure, WriteOutcome> gone = store.delete(held);
    if (gone.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(gone.getLeft()));
    }
    return Either.right(Boolean.TRUE);
  }

  private static boolean tagged(LockRecord record, String attempt) {
    return record.details().attempt().isDefined() && record.details().attempt().get().equals(attempt);
  }

  /** Attempt ids are 20 lower-case hex digits; anything else in a record is not ours to follow. */
  private static boolean isAttemptId(String attempt) {
    if (attempt.length() != 20) {
      return false;
    }
    for (int i = 0; i < attempt.length(); i++) {
      char c = attempt.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** Renews the caller's locks on {@code files} (after a tool wrote them); files it does not hold are left alone. */
  public Either<LockFailure, List<Refresh>> refresh(List<LockedFile> files, Claimant claimant) {
    List<Refresh> refreshed = new ArrayList<>();
    for (LockKey key : byKey(files).keySet()) {
      Either<LockFailure, Refresh> result = lock.refresh(key, claimant);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      if (result.get() instanceof Refresh.Refreshed done && done.record().sessionId().equals(claimant.sessionId())) {
        // A task that refreshes its session's lock adopts it: the index must name it for releaseAll.
        index.add(claimant.sessionId(), key);
      }
      refreshed.add(result.get());
    }
    return Either.right(List.copyOf(refreshed));
  }

  /** Releases the caller's own locks on {@code files}; another holder's stay. */
  public Either<LockFailure, List<Release>> release(List<LockedFile> files, Claimant claimant) {
    return releaseKeys(new ArrayList<>(byKey(files).keySet()), claimant);
  }

  /**
   * Releases every file lock of the caller: the keys its index names, and with {@code scan} also every file lock
   * in the store whose record names the caller (for records an older version wrote without an index entry).
   * Only {@link Release.Released} outcomes are returned.
   */
  public Either<LockFailure, List<Release.Released>> releaseAll(Claimant claimant, boolean scan) {
    Either<StoreFailure, List<LockKey>> indexed = index.keys(claimant.sessionId());
    if (indexed.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(indexed.getLeft()));
    }
    List<LockKey> keys = new ArrayList<>(indexed.get());
    if (scan) {
      Either<StoreFailure, io.vavr.collection.List<Slot>> all = store.list(LockKey.FILE_PREFIX);
      if (all.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(all.getLeft()));
      }
      for (Slot slot : all.get()) {
        if (slot instanceof Slot.Held held && held.record().sessionId().equals(claimant.sessionId())
            && !keys.contains(slot.key())) {
          keys.add(slot.key());
        }
      }
    }
    Either<LockFailure, List<Release>> released = releaseKeys(keys, claimant);
    if (released.isLeft()) {
      return Either.left(released.getLeft());
    }
    List<Release.Released> freed = new ArrayList<>();
    for (Release release : released.get()) {
      if (release instanceof Release.Released done) {
        freed.add(done);
      }
    }
    return Either.right(List.copyOf(freed));
  }

  /**
   * The files the caller's session holds now, as the records name them ({@code path}), in key order: the keys its
   * index names whose record is still the caller's. Plain loops and {@code java.util} (the hook path).
   */
  public Either<LockFailure, List<String>> heldPaths(Claimant claimant) {
    Either<LockFailure, List<Slot.Held>> held = held(claimant);
    if (held.isLeft()) {
      return Either.left(held.getLeft());
    }
    List<String> paths = new ArrayList<>();
    for (Slot.Held slot : held.get()) {
      paths.add(slot.record().details().path().get());
    }
    return Either.right(List.copyOf(paths));
  }

  /**
   * The file locks the caller's session holds now, as read (each names its file in {@code path}), in key order: the
   * keys its index names whose record is still the caller's. Each record read once; {@link #releaseHeld} and
   * {@link #renew} write from these reads. Plain loops and {@code java.util} (the hook path).
   */
  public Either<LockFailure, List<Slot.Held>> held(Claimant claimant) {
    Either<StoreFailure, List<LockKey>> indexed = index.keys(claimant.sessionId());
    if (indexed.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(indexed.getLeft()));
    }
    List<Slot.Held> held = new ArrayList<>();
    for (LockKey key : indexed.get()) {
      Either<StoreFailure, Option<Slot>> slot = store.read(key);
      if (slot.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(slot.getLeft()));
      }
      if (slot.get().isDefined() && slot.get().get() instanceof Slot.Held found
          && found.record().sessionId().equals(claimant.sessionId()) && found.record().details().path().isDefined()) {
        held.add(found);
      }
    }
    return Either.right(held);
  }

  /**
   * Releases the caller's own locks as {@code read} ({@link #held}): a lock still as read is deleted without another
   * read; one that changed since is read again and judged afresh.
   */
  public Either<LockFailure, List<Release>> releaseHeld(List<Slot.Held> read, Claimant claimant) {
    List<Release> released = new ArrayList<>();
    for (Slot.Held slot : read) {
      Either<LockFailure, Release> result = lock.release(slot, claimant);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      if (result.get() instanceof Release.Released || !heldBy(result.get(), claimant)) {
        forget(claimant, slot.key());
      }
      released.add(result.get());
    }
    return Either.right(List.copyOf(released));
  }

  /**
   * Renews the caller's own locks as {@code read} ({@link #held}) for {@code ttl} from now, without another read of a
   * lock still as read; a lock another holder has now is left alone ({@link Refresh.NotHolder}).
   */
  public Either<LockFailure, List<Refresh>> renew(List<Slot.Held> read, Claimant claimant, Duration ttl) {
    List<Refresh> renewed = new ArrayList<>();
    for (Slot.Held slot : read) {
      Either<LockFailure, Refresh> result = lock.refresh(slot, claimant, ttl);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      renewed.add(result.get());
    }
    return Either.right(List.copyOf(renewed));
  }

  /** For a person: removes the lock on {@code file}, whoever holds it, and returns what was there. */
  public Either<LockFailure, Option<Slot>> forceRelease(LockedFile file) {
    Either<LockFailure, Option<Slot>> removed = lock.forceRelease(file.key());
    if (removed.isRight() && removed.get().isDefined() && removed.get().get() instanceof Slot.Held held) {
      index.remove(held.record().sessionId(), file.key());
    }
    return removed;
  }

  /** Every file lock of {@code workspace}, or of every workspace, as people see them. */
  public Either<LockFailure, io.vavr.collection.List<LockStatus>> list(Option<WorkspaceHash> workspace) {
    return lock.list(workspace.isDefined() ? LockKey.filePrefix(workspace.get()) : LockKey.FILE_PREFIX);
  }

  /**
   * The file locks of {@code workspace} that would stop {@code claimant} now: held by another holder (not the
   * claimant, not a task of its session), lease running, holder not provably dead. What a command that rewrites
   * the whole work tree, or a workspace lease, must wait for. Locks of an acquire whose writer died half-way are
   * freed on the way, not counted. Plain loops and {@code java.util} (the hook path).
   */
  public Either<LockFailure, List<LockStatus.Held>> rivals(WorkspaceHash workspace, Claimant claimant) {
    Either<StoreFailure, List<Slot>> slots = store.slots(LockKey.filePrefix(workspace));
    if (slots.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(slots.getLeft()));
    }
    List<LockStatus.Held> rivals = new ArrayList<>();
    List<String> abandoned = new ArrayList<>();
    for (LockStatus.Held held : lock.blockingAmong(slots.get(), claimant)) {
      Option<String> attempt = held.record().details().attempt();
      if (attempt.isDefined()) {
        if (abandoned.contains(attempt.get())) {
          continue;
        }
        Either<LockFailure, Boolean> freed = releaseAbandoned(held.record());
        if (freed.isLeft()) {
          return Either.left(freed.getLeft());
        }
        if (freed.get()) {
          abandoned.add(attempt.get());
          continue;
        }
      }
      rivals.add(held);
    }
    return Either.right(rivals);
  }

  /**
   * The workspace lease on {@code workspace} when it would stop {@code claimant} now: another session's, fresh,
   * its process not provably dead (the claimant's own session, or the session its task is bound to, never stops
   * it). One read. What a file acquire backs off from, and what the files-mode git guard counts as a rival.
   */
  public Either<LockFailure, Option<Acquisition.Blocked>> workspaceHolder(WorkspaceHash workspace, Claimant claimant) {
    return lock.wouldBlock(LockKey.workspace(workspace), claimant);
  }

  private Either<LockFailure, List<Release>> releaseKeys(List<LockKey> keys, Claimant claimant) {
    Collections.sort(keys);
    List<Release> released = new ArrayList<>();
    for (LockKey key : keys) {
      Either<LockFailure, Release> result = lock.release(key, claimant);
      if (result.isLeft()) {
        return Either.left(result.getLeft());
      }
      Release release = result.get();
      if (release instanceof Release.Released || !heldBy(release, claimant)) {
        forget(claimant, key);
      }
      released.add(release);
    }
    return Either.right(List.copyOf(released));
  }

  /** Whether the caller still holds the key after a release it was refused (it renews it but may not free it). */
  private static boolean heldBy(Release release, Claimant claimant) {
    Release.NotHolder notHolder = (Release.NotHolder) release;
    return notHolder.current().isDefined() && notHolder.current().get() instanceof Slot.Held held
        && held.record().sessionId().equals(claimant.sessionId());
  }

  /**
   * Gives back what this call took, each slot as the call found it ({@link ParallelSessionLock#undo}), except a
   * renewal of a lock the holder in the record already held fresh and settled: that one was the holder's before,
   * and stays renewed. (A task that adopted its session's lock gives it back to the session.)
   */
  private void rollBack(List<ParallelSessionLock.Grant.Granted> granted, Claimant claimant) {
    for (ParallelSessionLock.Grant.Granted got : granted) {
      Acquisition.Acquired acquired = got.acquired();
      if (got.checked() && acquired.previous().isDefined()
          && acquired.previous().get().sessionId().equals(acquired.record().sessionId())) {
        continue;
      }
      lock.undo(acquired);
      if (acquired.how() != Acquisition.How.RENEWED) {
        forget(claimant, acquired.key());
      }
    }
  }

  private void forget(Claimant claimant, LockKey key) {
    index.remove(claimant.sessionId(), key); // a leftover entry only costs a release that finds nothing
  }

  private static Map<LockKey, LockedFile> byKey(List<LockedFile> files) {
    List<LockedFile> sorted = new ArrayList<>(files);
    sorted.sort(ByKey.INSTANCE);
    Map<LockKey, LockedFile> byKey = new LinkedHashMap<>();
    for (LockedFile file : sorted) {
      byKey.putIfAbsent(file.key(), file);
    }
    return byKey;
  }

  /** By key, without a lambda. */
  private enum ByKey implements java.util.Comparator<LockedFile> {
    INSTANCE;

    @Override
    public int compare(LockedFile a, LockedFile b) {
      return a.key().compareTo(b.key());
    }
  }
}
