package dev.parallelsessionlock.git;

import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.Documents;
import dev.parallelsessionlock.store.FolderStores;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.StripedGuard;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The queue of one repository, kept under its git common directory ({@code <git common dir>/session-lock/queue/}),
 * so every worktree of the repository sees the same queue and it goes where the repository goes.
 *
 * <p>The entries are a recipe over the one lock protocol ({@link Documents}, in {@code records/}): each entry is a
 * document {@code queue-entry-<place>} whose record's generation is the entry's version, and each branch that was
 * ever enqueued has a document {@code queue-branch-<hash of the branch>} naming the place of its latest entry. An
 * entry waits (queued or validating) only while its branch's document names it: so
 * <ul>
 *   <li>{@link #enqueue} writes its entry, then publishes it with a conditional create (or replace, when the branch's
 *       document names an entry that no longer waits) of the branch's document: of any number of enqueues of one
 *       branch at once exactly one publishes; the others remove their unpublished entry and say the branch is
 *       already queued;</li>
 *   <li>{@link #save} is a conditional replace at the version the entry was read at, {@link #remove} a conditional
 *       delete of an entry still queued: two writers never lose each other's update, and a removed entry is never
 *       brought back;</li>
 *   <li>a writer killed half way leaves nothing visible: an entry no branch document names is not in the queue
 *       ({@link #entries}), and {@link #sweep} removes what it left.</li>
 * </ul>
 * A place number file per entry, created exclusively, gives each its place. The processor's lease lives in {@code
 * lease/}, with the guard ({@link StripedGuard}) of the one plain file left, {@code targets}: the list of guarded
 * refs the reference-transaction hook reads, changed by read, add and write under that guard.
 *
 * <p>Entries of the layout before (one JSON file each in {@code entries/}, compared and written under the guard) are
 * moved into documents when the queue is opened, each with a conditional create, so two processes opening it at
 * once move each entry once.
 */
public final class MergeQueue {

  /**
   * The guard of the guarded refs' list: the key earlier versions took for every write of the queue, so one of them
   * still running takes the same guard file.
   */
  private static final LockKey TARGETS = new LockKey("queue-entries");
  static final String ENTRY_PREFIX = "queue-entry-";
  static final String BRANCH_PREFIX = "queue-branch-";
  /** How often an enqueue or a remove reads again after losing a conditional write before it gives up. */
  private static final int MAX_ATTEMPTS = ParallelSessionLock.DEFAULT_MAX_ATTEMPTS;

  private final Git git;
  private final Path dir;
  private final StripedGuard guard;
  private final FolderStores leases;
  private Documents documents;
  private Either<String, LockStore> leaseStore;

  private MergeQueue(Git git, Path dir, StripedGuard guard, FolderStores leases, Documents documents) {
    this.git = git;
    this.dir = dir;
    this.guard = guard;
    this.leases = leases;
    this.documents = documents;
  }

  /**
   * The queue of the repository around {@code workTree}, or why there is none; its entries and the processor's
   * lease live in the stores {@code leases} opens in {@code records/} and {@code lease/} (the caller's choice of
   * store: the executable passes the lock directory's, so this module depends on the protocol, not on a store).
   */
  public static Either<String, MergeQueue> open(Path workTree, FolderStores leases) {
    Git git = Git.in(workTree);
    Option<Path> common = git.commonDir();
    if (common.isEmpty()) {
      return Either.left(workTree + " is not in a git repository");
    }
    Path dir = common.get().resolve("session-lock").resolve("queue");
    try {
      Files.createDirectories(dir.resolve("logs"));
    } catch (IOException e) {
      return Either.left("cannot use " + dir + ": " + IoErrors.describe(e));
    }
    Either<StoreFailure, Documents> documents = Documents.open(dir.resolve("records"), leases, Clock.systemUTC());
    if (documents.isLeft()) {
      return Either.left(documents.getLeft().describe());
    }
    Either<String, MergeQueue> queue = LockDirectory.open(dir.resolve("lease")).<String>mapLeft(StoreFailure::describe)
        .map(lease -> new MergeQueue(git, dir, StripedGuard.of(lease, StripedGuard.DEFAULT_TIMEOUT), leases,
            documents.get()));
    if (queue.isRight()) {
      try {
        queue.get().migrateLegacyEntries();
      } catch (IOException e) {
        return Either.left("cannot move the queue's entries of an earlier version in " + dir.resolve("entries")
            + ": " + IoErrors.describe(e));
      }
    }
    return queue;
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

  /** The identity of the entries' folder (its file key), or null when it is gone: a new folder is another. */
  Object entriesKey() {
    try {
      return Files.readAttributes(dir.resolve("records"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
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
   * Writes back what was deleted from under the queue: the folders, each of {@code known} whose entry is gone (as it
   * was known, at its version) with its place, and the guard's {@code refs}. Returns the entries written back.
   */
  List<QueueEntry> restore(List<QueueEntry> known, List<String> refs) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Path numbers = Files.createDirectories(dir.resolve("numbers"));
    documents = Documents.open(dir.resolve("records"), leases, Clock.systemUTC())
        .getOrElseThrow(failure -> new IOException(failure.describe()));
    List<QueueEntry> written = new ArrayList<>();
    for (QueueEntry entry : known) {
      // An entry whose branch was enqueued again meanwhile is not brought back: one entry waits per branch.
      Option<Long> waiting = waitingSeq(entry.branch());
      boolean queuedAgain = entry.waiting() && waiting.isDefined() && waiting.get() != entry.seq();
      if (!queuedAgain && stored(entry.seq()).isEmpty()
          && published(documents.create(entryKey(entry.seq()), bytes(entry.encode()), Math.max(1, entry.version())))) {
        written.add(entry);
      }
      if (entry.waiting() && !queuedAgain) {
        markWaiting(entry.branch(), entry.seq());
      }
      try {
        Files.createFile(numbers.resolve(Long.toString(entry.seq())));
      } catch (FileAlreadyExistsException kept) {
        // its place is still taken
      }
    }
    exclusively("restore", new StripedGuard.Guarded<Void>() {
      @Override
      public Void run() throws IOException {
        for (String ref : refs) {
          protectRefGuarded(ref);
        }
        return null;
      }
    });
    return written;
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

  /** The store of the processor's lease (in {@code lease/}, beside the guard of the guarded refs' list). */
  Either<String, LockStore> leaseStore() {
    if (leaseStore == null) {
      leaseStore = leases.open(dir.resolve("lease")).<String>mapLeft(failure -> failure.describe());
    }
    return leaseStore;
  }

  /**
   * Runs {@code action} under the guard of the guarded refs' list: the in-process and OS lock of {@link #TARGETS} in
   * {@code lease/} (waited for up to the guard timeout). The guard's folder is made again first when a validation
   * deleted it.
   */
  private <T> T exclusively(String operation, StripedGuard.Guarded<T> action) throws IOException {
    Files.createDirectories(dir.resolve("lease"));
    Either<StoreFailure, T> done = guard.exclusively(TARGETS, operation, action);
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
      // The entry first, unpublished (no branch document names it), then the branch's document names it with a
      // conditional write: of any number of enqueues of one branch at once, exactly one publishes.
      Option<Long> already = waitingSeq(branch);
      if (already.isDefined()) {
        return Either.left(branch + " is already queued (#" + already.get() + ")");
      }
      QueueEntry entry = new QueueEntry(nextSeq(), branch, head.get(), target, session, now,
          QueueEntry.State.QUEUED, Option.none(), Option.none(), 0, Option.none(), now, 1);
      if (!published(documents.create(entryKey(entry.seq()), bytes(entry.encode())))) {
        throw new IOException("the place #" + entry.seq() + " is taken");
      }
      Option<Long> winner = markWaiting(branch, entry.seq());
      if (winner.isEmpty() || winner.get() != entry.seq()) {
        discard(entry.seq());
        return Either.left(branch + " is already queued" + (winner.isDefined() ? " (#" + winner.get() + ")" : ""));
      }
      protect(target);
      return Either.right(entry);
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  /**
   * Makes the document of {@code branch} name the entry at {@code seq}, unless it names an entry that still waits:
   * a conditional create, or a conditional replace of the document as read. Returns the place it names then (the
   * winner's, when another enqueue published first), none when it kept changing.
   */
  private Option<Long> markWaiting(String branch, long seq) throws IOException {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Option<Documents.Document> marker = checked(documents.read(branchKey(branch)));
      if (marker.isDefined()) {
        long named = seqOf(marker.get());
        if (named == seq || stillWaits(named)) {
          return Option.some(named);
        }
      }
      byte[] body = bytes(Long.toString(seq));
      Either<StoreFailure, WriteOutcome> outcome = marker.isDefined()
          ? documents.replace(marker.get(), body) : documents.create(branchKey(branch), body);
      if (published(outcome)) {
        return Option.some(seq);
      }
    }
    return Option.none();
  }

  /** The place of the entry of {@code branch} that waits, if one does. */
  private Option<Long> waitingSeq(String branch) throws IOException {
    Option<Documents.Document> marker = checked(documents.read(branchKey(branch)));
    if (marker.isEmpty()) {
      return Option.none();
    }
    long named = seqOf(marker.get());
    return stillWaits(named) ? Option.some(named) : Option.none();
  }

  private boolean stillWaits(long seq) throws IOException {
    Option<QueueEntry> entry = read(seq);
    return entry.isDefined() && entry.get().waiting();
  }

  /** Removes the unpublished entry of an enqueue that lost (nobody else writes an entry no branch names). */
  private void discard(long seq) throws IOException {
    Option<Documents.Document> lost = stored(seq);
    if (lost.isDefined()) {
      checked(documents.delete(lost.get()));
    }
  }

  /** Takes a waiting branch out of the queue; one being validated stays (the processor owns it). */
  public Either<String, QueueEntry> remove(String branch) {
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Option<Long> seq = waitingSeq(branch);
        Option<Documents.Document> stored = seq.isDefined() ? stored(seq.get()) : Option.none();
        if (stored.isEmpty()) {
          return Either.left(branch + " is not queued");
        }
        QueueEntry waiting = entryOf(stored.get());
        if (waiting.state() == QueueEntry.State.VALIDATING) {
          return Either.left(branch + " is being validated right now; remove it once that ends");
        }
        // Deleted only at the version read: an entry the processor marked meanwhile is read again.
        if (published(documents.delete(stored.get()))) {
          return Either.right(waiting);
        }
      }
      return Either.left(branch + ": its entry changed under this remove " + MAX_ATTEMPTS + " times running; try again");
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  /** Every entry in the queue, in queue order: each done one, and each waiting one its branch's document names. */
  public List<QueueEntry> entries() throws IOException {
    Set<Long> named = new HashSet<>();
    for (Documents.Document marker : checked(documents.list(BRANCH_PREFIX))) {
      named.add(seqOf(marker));
    }
    List<QueueEntry> entries = new ArrayList<>();
    for (Documents.Document stored : checked(documents.list(ENTRY_PREFIX))) {
      QueueEntry entry = entryOf(stored);
      if (!entry.waiting() || named.contains(entry.seq())) {
        entries.add(entry);
      }
    }
    entries.sort(Comparator.comparingLong(QueueEntry::seq));
    return entries;
  }

  /**
   * Writes {@code next} only if its entry is still stored at the version {@code next} was read at (a conditional
   * replace of its document). Returns the entry as stored now, its version one higher; none when another writer
   * changed or removed it since, and then nothing was written: the caller reads the queue again.
   */
  public Option<QueueEntry> save(QueueEntry next) throws IOException {
    Option<Documents.Document> stored = stored(next.seq());
    if (stored.isEmpty() || stored.get().generation() != next.version()) {
      return Option.none();
    }
    QueueEntry written = next.atVersion(next.version() + 1);
    return published(documents.replace(stored.get(), bytes(written.encode()))) ? Option.some(written) : Option.none();
  }

  /** The entry at place {@code seq}, as stored, if there is one. */
  Option<QueueEntry> read(long seq) throws IOException {
    Option<Documents.Document> stored = stored(seq);
    return stored.isDefined() ? Option.some(entryOf(stored.get())) : Option.none();
  }

  boolean hasEntry(long seq) throws IOException {
    return stored(seq).isDefined();
  }

  /**
   * Removes what killed writers left: bodies no record names, and entries a killed enqueue wrote but never published
   * (waiting, no branch document names them) once a minute old. Run by reconcile.
   */
  int sweep(Instant now) throws IOException {
    Set<Long> named = new HashSet<>();
    for (Documents.Document marker : checked(documents.list(BRANCH_PREFIX))) {
      named.add(seqOf(marker));
    }
    int removed = 0;
    for (Documents.Document stored : checked(documents.list(ENTRY_PREFIX))) {
      QueueEntry entry = entryOf(stored);
      if (entry.waiting() && !named.contains(entry.seq()) && entry.updatedAt().plusSeconds(60).isBefore(now)
          && published(documents.delete(stored))) {
        removed++;
      }
    }
    return removed + checked(documents.sweep());
  }

  private Option<Documents.Document> stored(long seq) throws IOException {
    return checked(documents.read(entryKey(seq)));
  }

  /** The entry a document holds, at the document's generation. */
  private static QueueEntry entryOf(Documents.Document stored) throws IOException {
    try {
      return QueueEntry.decode(new String(stored.body(), StandardCharsets.UTF_8)).atVersion(stored.generation());
    } catch (JsonParserException | RuntimeException e) {
      throw new IOException(stored.key() + ": not a queue entry (" + e.getMessage() + ")");
    }
  }

  private static long seqOf(Documents.Document marker) throws IOException {
    try {
      return Long.parseLong(new String(marker.body(), StandardCharsets.UTF_8).strip());
    } catch (NumberFormatException e) {
      throw new IOException(marker.key() + ": not a queue place (" + e.getMessage() + ")");
    }
  }

  private static <T> T checked(Either<StoreFailure, T> done) throws IOException {
    if (done.isLeft()) {
      throw new IOException(done.getLeft().describe());
    }
    return done.get();
  }

  private static boolean published(Either<StoreFailure, WriteOutcome> outcome) throws IOException {
    return checked(outcome) == WriteOutcome.WRITTEN;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static LockKey entryKey(long seq) {
    return new LockKey(ENTRY_PREFIX + String.format("%08d", seq));
  }

  static LockKey branchKey(String branch) {
    return new LockKey(BRANCH_PREFIX + WorkspaceHash.of(branch).hex());
  }

  /** {@code text} at {@code target}, whole or not at all: a temp file beside it, renamed over it atomically. */
  private static void writeAtomically(Path target, String text) throws IOException {
    AtomicWrite.write(target, bytes(text));
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
    for (Documents.Document stored : checked(documents.list(ENTRY_PREFIX))) {
      highest = Math.max(highest, Long.parseLong(stored.key().name().substring(ENTRY_PREFIX.length())));
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

  /**
   * Moves the entries an earlier version kept as files in {@code entries/} into documents, each with a conditional
   * create (an entry already moved stays as it is now), a waiting one named by its branch's document; then removes
   * the file. The folder goes when it is empty.
   */
  private void migrateLegacyEntries() throws IOException {
    Path legacy = dir.resolve("entries");
    if (!Files.isDirectory(legacy)) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(legacy, "*.json")) {
      for (Path file : files) {
        QueueEntry entry;
        try {
          entry = QueueEntry.decode(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException movedMeanwhile) {
          continue;
        } catch (JsonParserException | RuntimeException e) {
          throw new IOException(file + ": not a queue entry (" + e.getMessage() + ")");
        }
        checked(documents.create(entryKey(entry.seq()), bytes(entry.encode()), Math.max(1, entry.version())));
        if (entry.waiting()) {
          markWaiting(entry.branch(), entry.seq());
        }
        Files.deleteIfExists(file);
      }
    }
    try {
      Files.deleteIfExists(legacy);
    } catch (DirectoryNotEmptyException others) {
      // a file that is no entry, or one an earlier version is writing right now: left for a person
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
   * Adds {@code ref} to the guard's list; the caller holds the list's guard, so two enqueues onto two targets at
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
