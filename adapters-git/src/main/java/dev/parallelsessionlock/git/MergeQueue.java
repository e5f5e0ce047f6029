package dev.parallelsessionlock.git;

import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.StripedGuard;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The queue of one repository, kept under its git common directory ({@code <git common dir>/session-lock/queue/}),
 * so every worktree of the repository sees the same queue and it goes where the repository goes. One JSON file per
 * entry, written by temp file and atomic rename; a number file per entry, created exclusively, gives each its
 * place; the processor's lease and the entries' guard live in {@code lease/}.
 *
 * <p>Every write of an entry is conditional, as a lock store's are: {@link #enqueue} creates an entry only if its
 * branch has none waiting, {@link #save} replaces one only if it is still at the version it was read at, and
 * {@link #remove} deletes one only if it is still waiting; each compares and writes under the guard of
 * {@code lease/} ({@link StripedGuard#exclusively}, an OS file lock the kernel drops when its holder dies), so
 * eight processes enqueueing one branch make one entry, and two writers never lose each other's update.
 */
public final class MergeQueue {

  /** The guard every write of the queue's files takes (the entries, the place numbers, the guard's list). */
  private static final LockKey ENTRIES = new LockKey("queue-entries");

  /**
   * Opens the lock store of the processor's lease in a folder: the caller's choice of store (the executable passes
   * the lock directory's), so this module depends on the protocol, not on a store.
   */
  public interface LeaseStores {
    Either<StoreFailure, LockStore> open(Path dir);
  }

  private final Git git;
  private final Path dir;
  private final StripedGuard guard;
  private final LeaseStores leases;
  private Either<String, LockStore> leaseStore;

  private MergeQueue(Git git, Path dir, StripedGuard guard, LeaseStores leases) {
    this.git = git;
    this.dir = dir;
    this.guard = guard;
    this.leases = leases;
  }

  /**
   * The queue of the repository around {@code workTree}, or why there is none; the processor's lease lives in the
   * store {@code leases} opens in {@code lease/}.
   */
  public static Either<String, MergeQueue> open(Path workTree, LeaseStores leases) {
    Git git = Git.in(workTree);
    Option<Path> common = git.commonDir();
    if (common.isEmpty()) {
      return Either.left(workTree + " is not in a git repository");
    }
    Path dir = common.get().resolve("session-lock").resolve("queue");
    try {
      Files.createDirectories(dir.resolve("entries"));
      Files.createDirectories(dir.resolve("logs"));
    } catch (IOException e) {
      return Either.left("cannot use " + dir + ": " + IoErrors.describe(e));
    }
    return LockDirectory.open(dir.resolve("lease")).<String>mapLeft(failure -> failure.describe())
        .map(lease -> new MergeQueue(git, dir, StripedGuard.of(lease, StripedGuard.DEFAULT_TIMEOUT), leases));
  }

  public Git git() {
    return git;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Where validations get their scratch worktrees: {@code <git common dir>/session-lock/scratch/}, beside the queue's
   * folder, not in it (deleting one never deletes the other), on the repository's own file system.
   */
  Path scratch() {
    return dir.getParent().resolve("scratch");
  }

  /** Where earlier versions kept the scratch worktrees, inside the queue's folder (reconcile still clears it). */
  Path legacyScratch() {
    return dir.resolve("scratch");
  }

  Path logOf(long seq) {
    return dir.resolve("logs").resolve(seq + ".log");
  }

  /** The identity of the entries folder (its file key), or null when it is gone: a new folder is another. */
  Object entriesKey() {
    try {
      return Files.readAttributes(dir.resolve("entries"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException gone) {
      return null;
    }
  }

  /** The refs the guard protects now (none when the list is gone). */
  List<String> targets() throws IOException {
    try {
      return Files.readAllLines(targetsFile());
    } catch (NoSuchFileException gone) {
      return List.of();
    }
  }

  /**
   * Writes back what was deleted from under the queue: the folders, each of {@code known} whose file is gone (as it
   * was known) with its place, and the guard's {@code refs}. Returns the entries written back.
   */
  List<QueueEntry> restore(List<QueueEntry> known, List<String> refs) throws IOException {
    Files.createDirectories(dir.resolve("entries"));
    Files.createDirectories(dir.resolve("logs"));
    Path numbers = Files.createDirectories(dir.resolve("numbers"));
    return exclusively("restore", new StripedGuard.Guarded<List<QueueEntry>>() {
      @Override
      public List<QueueEntry> run() throws IOException {
        List<QueueEntry> written = new ArrayList<>();
        List<QueueEntry> now = entries();
        for (QueueEntry entry : known) {
          // An entry whose branch was enqueued again meanwhile is not brought back: one entry waits per branch.
          boolean queuedAgain = entry.waiting() && waitingOf(now, entry.branch()).isDefined();
          if (!Files.exists(entryFile(entry.seq())) && !queuedAgain) {
            writeAtomically(entryFile(entry.seq()), entry.encode());
            written.add(entry);
          }
          try {
            Files.createFile(numbers.resolve(Long.toString(entry.seq())));
          } catch (FileAlreadyExistsException kept) {
            // its place is still taken
          }
        }
        for (String ref : refs) {
          protectRefGuarded(ref);
        }
        return written;
      }
    });
  }

  /**
   * A landing under way: written before the target's ref moves, removed once its entries say landed and the
   * checked-out work tree shows it. What a processor killed in between leaves, so the next one can finish it.
   *
   * @param target the branch that moves
   * @param from its tip before
   * @param to the commit it moves to
   * @param worktree the work tree that has {@code target} checked out, whose index and files move with it
   * @param entries the places of the entries it lands
   */
  record Landing(String target, String from, String to, Option<Path> worktree, List<Long> entries) {}

  private Path landingFile() {
    return dir.resolve("landing.json");
  }

  /** Records {@code landing} before the ref moves (only the lease's holder lands, so no guard). */
  void beginLanding(Landing landing) throws IOException {
    JsonObject json = new JsonObject();
    json.put("target", landing.target());
    json.put("from", landing.from());
    json.put("to", landing.to());
    landing.worktree().forEach(tree -> json.put("worktree", tree.toString()));
    JsonArray seqs = new JsonArray();
    seqs.addAll(landing.entries());
    json.put("entries", seqs);
    writeAtomically(landingFile(), JsonWriter.string(json) + "\n");
  }

  /** The landing a processor began and did not end, if any. */
  Option<Landing> landing() throws IOException {
    String text;
    try {
      text = Files.readString(landingFile(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException none) {
      return Option.none();
    }
    try {
      JsonObject json = JsonParser.object().from(text);
      List<Long> seqs = new ArrayList<>();
      JsonArray array = json.getArray("entries");
      for (int i = 0; i < array.size(); i++) {
        seqs.add(array.getLong(i));
      }
      return Option.some(new Landing(json.getString("target"), json.getString("from"), json.getString("to"),
          Option.of(json.getString("worktree", null)).map(Path::of), seqs));
    } catch (JsonParserException | RuntimeException e) {
      throw new IOException(landingFile() + ": not a landing record (" + e.getMessage() + ")");
    }
  }

  /** The landing is over: its entries say so, and the checked-out work tree shows it (or never will). */
  void endLanding() throws IOException {
    Files.deleteIfExists(landingFile());
  }

  /** The store of the processor's lease (in {@code lease/}, beside the guard the queue's writes take). */
  Either<String, LockStore> leaseStore() {
    if (leaseStore == null) {
      leaseStore = leases.open(dir.resolve("lease")).<String>mapLeft(failure -> failure.describe());
    }
    return leaseStore;
  }

  /**
   * Runs {@code action} under the queue's guard: the in-process and OS lock of {@link #ENTRIES} in {@code lease/}
   * (waited for up to the guard timeout). The guard's folder is made again first when a validation deleted it.
   */
  private <T> T exclusively(String operation, StripedGuard.Guarded<T> action) throws IOException {
    Files.createDirectories(dir.resolve("lease"));
    Either<StoreFailure, T> done = guard.exclusively(ENTRIES, operation, action);
    if (done.isLeft()) {
      throw new IOException(done.getLeft().describe());
    }
    return done.get();
  }

  /** The branches whose updates the reference-transaction guard protects, one ref a line. */
  public Path targetsFile() {
    return dir.resolve("targets");
  }

  /**
   * Adds {@code branch} at its current commit, to land on {@code onto} (the main branch by default). A branch that
   * is already waiting is refused, as is one that does not exist.
   */
  public Either<String, QueueEntry> enqueue(String branch, Option<String> onto, Option<String> session, Instant now) {
    String target = onto.getOrElse(git::mainBranch);
    Option<String> head = git.resolve("refs/heads/" + branch);
    if (head.isEmpty()) {
      return Either.left("no branch " + branch);
    }
    if (git.resolve("refs/heads/" + target).isEmpty()) {
      return Either.left("no target branch " + target);
    }
    if (branch.equals(target)) {
      return Either.left(branch + " is the target itself");
    }
    try {
      // Check and create under one guard: of any number of enqueues of one branch at once, exactly one is first.
      return exclusively("enqueue", new StripedGuard.Guarded<Either<String, QueueEntry>>() {
        @Override
        public Either<String, QueueEntry> run() throws IOException {
          Option<QueueEntry> waiting = waitingOf(entries(), branch);
          if (waiting.isDefined()) {
            return Either.left(branch + " is already queued (#" + waiting.get().seq() + ")");
          }
          QueueEntry entry = new QueueEntry(nextSeq(), branch, head.get(), target, session, now,
              QueueEntry.State.QUEUED, Option.none(), Option.none(), 0, Option.none(), now, 1);
          writeAtomically(entryFile(entry.seq()), entry.encode());
          protectRefGuarded("refs/heads/" + target);
          return Either.right(entry);
        }
      });
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  private static Option<QueueEntry> waitingOf(List<QueueEntry> entries, String branch) {
    for (QueueEntry entry : entries) {
      if (entry.branch().equals(branch) && entry.waiting()) {
        return Option.some(entry);
      }
    }
    return Option.none();
  }

  /** Takes a waiting branch out of the queue; one being validated stays (the processor owns it). */
  public Either<String, QueueEntry> remove(String branch) {
    try {
      return exclusively("remove", new StripedGuard.Guarded<Either<String, QueueEntry>>() {
        @Override
        public Either<String, QueueEntry> run() throws IOException {
          Option<QueueEntry> waiting = waitingOf(entries(), branch);
          if (waiting.isEmpty()) {
            return Either.left(branch + " is not queued");
          }
          if (waiting.get().state() == QueueEntry.State.VALIDATING) {
            return Either.left(branch + " is being validated right now; remove it once that ends");
          }
          Files.deleteIfExists(entryFile(waiting.get().seq()));
          return Either.right(waiting.get());
        }
      });
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  /** Every entry, in queue order. */
  public List<QueueEntry> entries() throws IOException {
    List<QueueEntry> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve("entries"), "*.json")) {
      for (Path file : files) {
        try {
          entries.add(QueueEntry.decode(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (JsonParserException | RuntimeException e) {
          throw new IOException(file + ": not a queue entry (" + e.getMessage() + ")");
        }
      }
    }
    entries.sort(Comparator.comparingLong(QueueEntry::seq));
    return entries;
  }

  /**
   * Writes {@code next} whole, by temp file and atomic rename, only if its entry is still stored at the version
   * {@code next} was read at (a compare-and-swap under the queue's guard). Returns the entry as stored now, its
   * version one higher; none when another writer changed or removed it since, and then nothing was written: the
   * caller reads the queue again.
   */
  public Option<QueueEntry> save(QueueEntry next) throws IOException {
    return exclusively("save", new StripedGuard.Guarded<Option<QueueEntry>>() {
      @Override
      public Option<QueueEntry> run() throws IOException {
        Option<QueueEntry> stored = read(next.seq());
        if (stored.isEmpty() || stored.get().version() != next.version()) {
          return Option.none();
        }
        QueueEntry written = next.atVersion(next.version() + 1);
        writeAtomically(entryFile(next.seq()), written.encode());
        return Option.some(written);
      }
    });
  }

  /** The entry at place {@code seq}, as stored, if there is one. */
  Option<QueueEntry> read(long seq) throws IOException {
    Path file = entryFile(seq);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException gone) {
      return Option.none();
    }
    try {
      return Option.some(QueueEntry.decode(text));
    } catch (JsonParserException | RuntimeException e) {
      throw new IOException(file + ": not a queue entry (" + e.getMessage() + ")");
    }
  }

  /** {@code text} at {@code target}, whole or not at all: a temp file beside it, renamed over it atomically. */
  private static void writeAtomically(Path target, String text) throws IOException {
    AtomicWrite.write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  boolean hasEntry(long seq) {
    return Files.exists(entryFile(seq));
  }

  private Path entryFile(long seq) {
    return dir.resolve("entries").resolve(String.format("%08d.json", seq));
  }

  /**
   * The next place: one past the highest taken (by a number file or by an entry, so a lost number file never gives
   * a place twice), claimed by creating its number file exclusively.
   */
  private long nextSeq() throws IOException {
    Path numbers = Files.createDirectories(dir.resolve("numbers"));
    long highest = 0;
    try (DirectoryStream<Path> taken = Files.newDirectoryStream(numbers)) {
      for (Path number : taken) {
        highest = Math.max(highest, Long.parseLong(number.getFileName().toString()));
      }
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve("entries"), "*.json")) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        try {
          highest = Math.max(highest, Long.parseLong(name.substring(0, name.length() - ".json".length())));
        } catch (NumberFormatException notOurs) {
          // not an entry's name
        }
      }
    }
    for (long seq = highest + 1; ; seq++) {
      try {
        Files.createFile(numbers.resolve(Long.toString(seq)));
        return seq;
      } catch (FileAlreadyExistsException raced) {
        // another enqueue took it: the next one
      }
    }
  }

  /** Adds {@code target}'s ref to the guard's list. */
  public void protect(String target) throws IOException {
    exclusively("protect", new StripedGuard.Guarded<Void>() {
      @Override
      public Void run() throws IOException {
        protectRefGuarded("refs/heads/" + target);
        return null;
      }
    });
  }

  /**
   * Adds {@code ref} to the guard's list; the caller holds the queue's guard, so two enqueues onto two targets at
   * once keep both.
   */
  private void protectRefGuarded(String ref) throws IOException {
    Path file = targetsFile();
    List<String> refs = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
    if (!refs.contains(ref)) {
      refs.add(ref);
      writeAtomically(file, String.join("\n", refs) + "\n");
    }
  }
}
