package dev.parallelsessionlock.git;

import com.grack.nanojson.JsonParserException;
import dev.parallelsessionlock.fs.FileLockStore;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The queue of one repository, kept under its git common directory ({@code <git common dir>/session-lock/queue/}),
 * so every worktree of the repository sees the same queue and it goes where the repository goes. One JSON file per
 * entry, written by temp file and atomic rename; a number file per entry, created exclusively, gives each its
 * place; the processor's lease and the entries' guard live in {@code lease/}.
 */
public final class MergeQueue {

  private final Git git;
  private final Path dir;

  private MergeQueue(Git git, Path dir) {
    this.git = git;
    this.dir = dir;
  }

  /** The queue of the repository around {@code workTree}, or why there is none. */
  public static Either<String, MergeQueue> open(Path workTree) {
    Git git = Git.in(workTree);
    Option<Path> common = git.commonDir();
    if (common.isEmpty()) {
      return Either.left(workTree + " is not in a git repository");
    }
    Path dir = common.get().resolve("session-lock").resolve("queue");
    try {
      Files.createDirectories(dir.resolve("entries"));
      Files.createDirectories(dir.resolve("logs"));
      Files.createDirectories(dir.resolve("scratch"));
    } catch (IOException e) {
      return Either.left("cannot use " + dir + ": " + FileLockStore.describe(e));
    }
    return Either.right(new MergeQueue(git, dir));
  }

  public Git git() {
    return git;
  }

  public Path dir() {
    return dir;
  }

  Path scratch() {
    return dir.resolve("scratch");
  }

  Path logOf(long seq) {
    return dir.resolve("logs").resolve(seq + ".log");
  }

  Either<String, FileLockStore> leaseStore() {
    return FileLockStore.open(dir.resolve("lease")).mapLeft(failure -> failure.describe());
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
      for (QueueEntry entry : entries()) {
        if (entry.branch().equals(branch) && entry.waiting()) {
          return Either.left(branch + " is already queued (#" + entry.seq() + ")");
        }
      }
      long seq = nextSeq();
      QueueEntry entry = new QueueEntry(seq, branch, head.get(), target, session, now, QueueEntry.State.QUEUED,
          Option.none(), Option.none(), 0, Option.none(), now);
      save(entry);
      protect(target);
      return Either.right(entry);
    } catch (IOException e) {
      return Either.left(FileLockStore.describe(e));
    }
  }

  /** Takes a waiting branch out of the queue; one being validated stays (the processor owns it). */
  public Either<String, QueueEntry> remove(String branch) {
    try {
      for (QueueEntry entry : entries()) {
        if (entry.branch().equals(branch) && entry.waiting()) {
          if (entry.state() == QueueEntry.State.VALIDATING) {
            return Either.left(branch + " is being validated right now; remove it once that ends");
          }
          Files.deleteIfExists(entryFile(entry.seq()));
          return Either.right(entry);
        }
      }
      return Either.left(branch + " is not queued");
    } catch (IOException e) {
      return Either.left(FileLockStore.describe(e));
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

  /** Writes {@code entry} whole, by temp file and atomic rename. */
  public void save(QueueEntry entry) throws IOException {
    Path target = entryFile(entry.seq());
    Path temp = Files.createTempFile(target.getParent(), ".entry-", ".tmp");
    try {
      Files.writeString(temp, entry.encode(), StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Path entryFile(long seq) {
    return dir.resolve("entries").resolve(String.format("%08d.json", seq));
  }

  /** The next place: one past the highest taken, claimed by creating its number file exclusively. */
  private long nextSeq() throws IOException {
    Path numbers = Files.createDirectories(dir.resolve("numbers"));
    long highest = 0;
    try (DirectoryStream<Path> taken = Files.newDirectoryStream(numbers)) {
      for (Path number : taken) {
        highest = Math.max(highest, Long.parseLong(number.getFileName().toString()));
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
    String ref = "refs/heads/" + target;
    Path file = targetsFile();
    List<String> refs = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
    if (!refs.contains(ref)) {
      refs.add(ref);
      Path temp = Files.createTempFile(dir, ".targets-", ".tmp");
      Files.write(temp, refs);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
