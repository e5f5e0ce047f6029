package dev.parallelsessionlock.plan;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.Documents;
import dev.parallelsessionlock.store.FolderStores;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.RegularFiles;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content baselines of a task's files, and the stale-check against them (seed 001's {@code stale-check.sh}): a
 * snapshot records each file's SHA-256 and size (or that it is absent); a check says which files changed, were
 * created or deleted since. Kept per workspace and task in {@code <lock dir>/snapshots/}; {@code
 * sessions/<session>/} names the baselines of the tasks bound to a session, so the hook finds them without reading
 * the others. Anything but a regular file at one of these paths (a FIFO would block a read) is refused with one
 * line ({@link RegularFiles}).
 *
 * <p>A baseline is a recipe over the one lock protocol ({@link Documents}, in {@code snapshots/baselines/}): the
 * document {@code baseline-<workspace hash>-<task hash>}, whose record's generation is its version and whose body is
 * the baseline's JSON. It changes by read, change, conditional replace at the version read; a writer that lost reads
 * again, at most {@value #MAX_ATTEMPTS} times. So two edits of one task's files at once (an agent's parallel tool
 * calls, each a hook process of its own) both land in it, and a writer killed half way leaves the version before.
 * {@link #delete} is a conditional delete, so an edit accepted at the same time finds the baseline gone and does not
 * write it back.
 *
 * <p>A baseline of the layout before (a JSON file {@code snapshots/<workspace hash>-<task hash>.json}) is read as
 * it is, and moved into its document by its next write (a conditional create; the file goes once that is made).
 */
public final class Snapshots {

  /** One file as the baseline has it: its content hash and size, or absent. */
  public record Entry(Option<String> sha256, long size) {
    static final Entry ABSENT = new Entry(Option.none(), 0);
  }

  /** A task's baseline. */
  public record Baseline(String workspace, String task, Option<String> session, Map<String, Entry> files) {}

  /** What happened to one file since the baseline. */
  public enum Kind { CHANGED, CREATED, DELETED }

  /** A file that is not as the baseline has it. */
  public record Change(String path, Kind kind, Option<String> before, Option<String> after) {}

  /** Compare-and-swap attempts on one baseline before giving up, as the lock protocol's. */
  static final int MAX_ATTEMPTS = ParallelSessionLock.DEFAULT_MAX_ATTEMPTS;

  private final Path dir;
  private final FolderStores stores;
  /** The baselines' documents, opened on the first read of one (the hook's edits mostly have none to read). */
  private Documents documents;

  private Snapshots(Path dir, FolderStores stores) {
    this.dir = dir;
    this.stores = stores;
  }

  /** The baselines kept under {@code lockDir}, their records in the stores {@code stores} opens. */
  public static Snapshots in(Path lockDir, FolderStores stores) {
    return new Snapshots(lockDir.resolve("snapshots"), stores);
  }

  /** The file of a baseline in the layout before, and the name its session's entry has. */
  private Path file(String workspace, String task) {
    return dir.resolve(name(workspace, task) + ".json");
  }

  private static String name(String workspace, String task) {
    return WorkspaceHash.of(workspace).hex() + "-" + WorkspaceHash.of(task).hex();
  }

  private static LockKey key(String workspace, String task) {
    return new LockKey("baseline-" + name(workspace, task));
  }

  /** A baseline as read: its document, or none when it is still the file of the layout before. */
  private static final class Stored {
    final Option<Documents.Document> document;
    final Baseline baseline;

    Stored(Option<Documents.Document> document, Baseline baseline) {
      this.document = document;
      this.baseline = baseline;
    }
  }

  private Documents documents() throws IOException {
    if (documents == null) {
      Either<StoreFailure, Documents> opened = Documents.open(dir.resolve("baselines"), stores, Clock.systemUTC());
      if (opened.isLeft()) {
        throw new IOException(opened.getLeft().describe());
      }
      documents = opened.get();
    }
    return documents;
  }

  /** The task's baseline as stored: its document, else the file of the layout before, else none. */
  private Option<Stored> stored(String workspace, String task) throws IOException {
    Either<StoreFailure, Option<Documents.Document>> read = documents().read(key(workspace, task));
    if (read.isLeft()) {
      throw new IOException(read.getLeft().describe());
    }
    if (read.get().isDefined()) {
      return Option.some(new Stored(read.get(), parse(key(workspace, task).name(), read.get().get().body())));
    }
    Path legacy = file(workspace, task);
    Option<byte[]> bytes = bytesOf(legacy);
    return bytes.isDefined()
        ? Option.some(new Stored(Option.none(), parse(legacy.toString(), bytes.get()))) : Option.none();
  }

  private Path sessionDir(String session) {
    return dir.resolve("sessions").resolve(WorkspaceHash.of(session).hex());
  }

  /**
   * Records the current content of {@code files} (absolute paths inside {@code workspace}) in the task's baseline,
   * adding to what it has; {@code session} binds the task to a session (its edits then move the baseline).
   */
  public Either<String, Baseline> snapshot(String workspace, String task, Option<String> session, List<Path> files) {
    try {
      List<Entry> hashed = entriesOf(files);
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Option<Stored> read = stored(workspace, task);
        Option<Baseline> existing = read.isDefined() ? Option.some(read.get().baseline) : Option.none();
        Map<String, Entry> entries = new TreeMap<>(existing.isDefined() ? existing.get().files() : Map.of());
        for (int i = 0; i < files.size(); i++) {
          entries.put(files.get(i).toString(), hashed.get(i));
        }
        Option<String> bound = session.isDefined() ? session : existing.flatMap(Baseline::session);
        Baseline baseline = new Baseline(workspace, task, bound, entries);
        if (write(workspace, task, read, baseline)) {
          bind(baseline);
          return Either.right(baseline);
        }
      }
      return Either.left(contended(workspace, task));
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  /** The task's baseline, if it has one. */
  public Option<Baseline> read(String workspace, String task) throws IOException {
    Option<Stored> stored = stored(workspace, task);
    return stored.isDefined() ? Option.some(stored.get().baseline) : Option.none();
  }

  /** The bytes of the baseline at {@code path}, or none. */
  private static Option<byte[]> bytesOf(Path path) throws IOException {
    try {
      RegularFiles.requireRegular(path); // a FIFO there would block the read
      return Option.some(Files.readAllBytes(path));
    } catch (NoSuchFileException none) {
      return Option.none();
    }
  }

  private static Baseline parse(String where, byte[] bytes) throws IOException {
    try {
      JsonObject root = JsonParser.object().from(new String(bytes, StandardCharsets.UTF_8));
      Map<String, Entry> entries = new TreeMap<>();
      JsonObject files = root.getObject("files");
      for (String name : files.keySet()) {
        JsonObject entry = files.getObject(name);
        entries.put(name, entry.isString("sha256")
            ? new Entry(Option.some(entry.getString("sha256")), entry.getLong("size")) : Entry.ABSENT);
      }
      return new Baseline(root.getString("workspace"), root.getString("task"),
          Option.of(root.getString("session", null)), entries);
    } catch (JsonParserException | RuntimeException e) {
      throw new IOException(where + ": not a baseline (" + e.getMessage() + ")");
    }
  }

  /** The files of {@code baseline} that are not as it has them, by path. */
  public List<Change> check(Baseline baseline) throws IOException {
    List<Change> changes = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    for (String path : baseline.files().keySet()) {
      paths.add(Path.of(path));
    }
    List<Entry> current = entriesOf(paths);
    int index = 0;
    for (Map.Entry<String, Entry> file : baseline.files().entrySet()) {
      Entry before = file.getValue();
      Entry now = current.get(index++);
      if (before.sha256().isEmpty() && now.sha256().isDefined()) {
        changes.add(new Change(file.getKey(), Kind.CREATED, Option.none(), now.sha256()));
      } else if (before.sha256().isDefined() && now.sha256().isEmpty()) {
        changes.add(new Change(file.getKey(), Kind.DELETED, before.sha256(), Option.none()));
      } else if (before.sha256().isDefined() && !before.equals(now)) {
        changes.add(new Change(file.getKey(), Kind.CHANGED, before.sha256(), now.sha256()));
      }
    }
    return List.copyOf(changes);
  }

  /**
   * After {@code session} wrote {@code written} with its own edit tool: each baseline of a task bound to that
   * session that has the file moves to the content now there (the task's own edit is not external). Returns the
   * tasks whose baseline moved. Cheap when the session has no bound task (one stat).
   */
  public List<String> acceptEdit(String session, String workspace, Path written) throws IOException {
    List<String> moved = new ArrayList<>();
    Entry now = null;
    for (String task : boundTasks(session)) {
      for (int attempt = 1; ; attempt++) {
        Option<Stored> read = stored(workspace, task);
        if (read.isEmpty()) {
          break; // no baseline here (another workspace's task, or released meanwhile)
        }
        Baseline baseline = read.get().baseline;
        if (!baseline.files().containsKey(written.toString())) {
          break;
        }
        if (now == null) {
          now = entryOf(written);
        }
        Map<String, Entry> files = new TreeMap<>(baseline.files());
        files.put(written.toString(), now);
        if (write(workspace, task, read, new Baseline(workspace, task, baseline.session(), files))) {
          moved.add(task);
          break;
        }
        if (attempt == MAX_ATTEMPTS) {
          throw new IOException(contended(workspace, task));
        }
      }
    }
    return List.copyOf(moved);
  }

  /** The tasks of {@code workspace} bound to {@code session} that have a baseline. Cheap without any (one stat). */
  public List<Baseline> boundTo(String session, String workspace) throws IOException {
    List<Baseline> baselines = new ArrayList<>();
    for (String task : boundTasks(session)) {
      read(workspace, task).forEach(baselines::add);
    }
    return baselines;
  }

  /** The tasks bound to {@code session}, in any workspace; an entry removed meanwhile is left out. */
  private List<String> boundTasks(String session) throws IOException {
    Path bound = sessionDir(session);
    List<String> tasks = new ArrayList<>();
    // java.io's exists is one stat; this runs after every edit of every session, most of which bind no task.
    if (!bound.toFile().isDirectory()) {
      return tasks;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(bound)) {
      for (Path entry : entries) {
        if (entry.getFileName().toString().startsWith(".")) {
          continue; // a temp file of an entry being written
        }
        try {
          RegularFiles.requireRegular(entry);
          tasks.add(Files.readString(entry, StandardCharsets.UTF_8).strip());
        } catch (NoSuchFileException released) {
          // its task was deleted while we listed
        }
      }
    } catch (NoSuchFileException gone) {
      return tasks; // the session's last task was deleted meanwhile
    }
    return tasks;
  }

  /**
   * Removes the task's baseline (a conditional delete at the version read, so an edit accepted at the same time
   * cannot write it back: it finds it gone), its file of the layout before, and its session entry; then what killed
   * writers left of the baselines' documents ({@link Documents#sweep}).
   */
  public void delete(String workspace, String task) throws IOException {
    Option<Baseline> baseline = Option.none();
    for (int attempt = 1; ; attempt++) {
      Option<Stored> read = stored(workspace, task);
      if (read.isEmpty()) {
        break;
      }
      baseline = Option.some(read.get().baseline);
      if (read.get().document.isEmpty()) {
        Files.deleteIfExists(file(workspace, task));
        continue; // a document made from it meanwhile is read next
      }
      Either<StoreFailure, WriteOutcome> deleted = documents().delete(read.get().document.get());
      if (deleted.isLeft()) {
        throw new IOException(deleted.getLeft().describe());
      }
      if (deleted.get() == WriteOutcome.WRITTEN) {
        Files.deleteIfExists(file(workspace, task));
        break;
      }
      if (attempt == MAX_ATTEMPTS) {
        throw new IOException(contended(workspace, task));
      }
    }
    if (baseline.isDefined() && baseline.get().session().isDefined()) {
      Path bound = sessionDir(baseline.get().session().get());
      Files.deleteIfExists(bound.resolve(file(workspace, task).getFileName().toString()));
      try {
        Files.deleteIfExists(bound);
      } catch (java.nio.file.DirectoryNotEmptyException others) {
        // the session has other tasks
      }
    }
    documents().sweep();
  }

  /**
   * Writes {@code baseline} only if the task's baseline is still as {@code expected} was read (none: there was
   * none): a conditional create or replace of its document; false when another writer changed it since, and then
   * nothing was written. A baseline read from the file of the layout before is written as its document's creation,
   * and the file goes once that is made. (A {@link #delete} of such a file at the very moment an edit moves it can
   * miss that edit's document: only baselines written before this layout, once.)
   */
  private boolean write(String workspace, String task, Option<Stored> expected, Baseline baseline)
      throws IOException {
    byte[] body = encode(baseline).getBytes(StandardCharsets.UTF_8);
    Either<StoreFailure, WriteOutcome> done = expected.isDefined() && expected.get().document.isDefined()
        ? documents().replace(expected.get().document.get(), body)
        : documents().create(key(workspace, task), body);
    if (done.isLeft()) {
      throw new IOException(done.getLeft().describe());
    }
    if (done.get() != WriteOutcome.WRITTEN) {
      return false;
    }
    if (expected.isDefined() && expected.get().document.isEmpty()) {
      Files.deleteIfExists(file(workspace, task));
    }
    return true;
  }

  private static String contended(String workspace, String task) {
    return "the baseline of task " + task + " in " + workspace + " changed under this write " + MAX_ATTEMPTS
        + " times running; try again";
  }

  /** Names the task in its session's folder, so the hook finds its baseline (one entry per task, written whole). */
  private void bind(Baseline baseline) throws IOException {
    if (baseline.session().isDefined()) {
      Path bound = Files.createDirectories(sessionDir(baseline.session().get()));
      Path entry = bound.resolve(file(baseline.workspace(), baseline.task()).getFileName().toString());
      RegularFiles.requireRegularOrAbsent(entry); // writing into a FIFO would block until a reader comes
      writeAtomically(entry, baseline.task() + "\n");
    }
  }

  private static String encode(Baseline baseline) {
    JsonObject files = new JsonObject();
    for (Map.Entry<String, Entry> file : baseline.files().entrySet()) {
      JsonObject entry = new JsonObject();
      if (file.getValue().sha256().isDefined()) {
        entry.put("sha256", file.getValue().sha256().get());
        entry.put("size", file.getValue().size());
      } else {
        entry.put("absent", true);
      }
      files.put(file.getKey(), entry);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("workspace", baseline.workspace());
    root.put("task", baseline.task());
    if (baseline.session().isDefined()) {
      root.put("session", baseline.session().get());
    }
    root.put("files", files);
    return JsonWriter.string(new JsonObject(root)) + "\n";
  }

  /** {@code text} at {@code target}, whole or not at all: a temp file beside it, renamed over it atomically. */
  private static void writeAtomically(Path target, String text) throws IOException {
    AtomicWrite.write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The entries of {@code paths}, in order, hashed in parallel (reading and hashing is the whole cost). */
  static List<Entry> entriesOf(List<Path> paths) throws IOException {
    try {
      return paths.parallelStream().map(path -> {
        try {
          return entryOf(path);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).collect(java.util.stream.Collectors.toList());
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** A file's SHA-256 and size now, or absent. */
  static Entry entryOf(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      return Entry.ABSENT;
    }
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no SHA-256 in this JVM", e);
    }
    long size = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(path)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        size += n;
      }
    } catch (NoSuchFileException gone) {
      return Entry.ABSENT;
    }
    StringBuilder hex = new StringBuilder(64);
    for (byte b : digest.digest()) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return new Entry(Option.some(hex.toString()), size);
  }

  /** The first 7 hex digits, as people quote hashes. */
  public static String shortHash(Option<String> sha256) {
    return sha256.isDefined() ? sha256.get().substring(0, 7) : "-";
  }
}
