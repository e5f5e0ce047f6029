package dev.parallelsessionlock.git;

import com.grack.nanojson.JsonParserException;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
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
    } catch (IOException e) {
      return Either.left("cannot use " + dir + ": " + IoErrors.describe(e));
    }
    return Either.right(new MergeQueue(git, dir));
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
    List<QueueEntry> written = new ArrayList<>();
    for (QueueEntry entry : known) {
      if (!Files.exists(entryFile(entry.seq()))) {
        save(entry);
        written.add(entry);
      }
      try {
        Files.createFile(numbers.resolve(Long.toString(entry.seq())));
      } catch (FileAlreadyExistsException kept) {
        // its place is still taken
      }
    }
    for (String ref : refs) {
      protectRef(ref);
    }
    return written;
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
      return Either.left(IoErrors.describe(e));
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

  /** Writes {@code entry} whole, by temp file and atomic rename. */
  public void save(QueueEntry entry) throws IOException {
    AtomicWrite.write(entryFile(entry.seq()), entry.encode().getBytes(StandardCharsets.UTF_8));
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
    protectRef("refs/heads/" + target);
  }

  private void protectRef(String ref) throws IOException {
    Path file = targetsFile();
    List<String> refs = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
    if (!refs.contains(ref)) {
      refs.add(ref);
      AtomicWrite.write(file, (String.join("\n", refs) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
