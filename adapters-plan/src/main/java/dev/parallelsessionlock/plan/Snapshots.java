package dev.parallelsessionlock.plan;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.RegularFiles;
import dev.parallelsessionlock.store.StripedGuard;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content baselines of a task's files, and the stale-check against them (seed 001's {@code stale-check.sh}): a
 * snapshot records each file's SHA-256 and size (or that it is absent); a check says which files changed, were
 * created or deleted since. Kept per workspace and task in {@code <lock dir>/snapshots/}, one JSON file each,
 * written by temp file and atomic rename; {@code sessions/<session>/} names the baselines of the tasks bound to
 * a session, so the hook finds them without reading the others. Anything but a regular file at one of these paths
 * (a FIFO would block a read) is refused with one line ({@link RegularFiles}).
 *
 * <p>A baseline changes by compare-and-swap: it is read, the new one is made from it, and it is written only if the
 * file still holds the bytes read (compared and written under the guard of the baseline's key in the lock
 * directory's guard, {@link StripedGuard#exclusively}); otherwise it is read again, at most {@value #MAX_ATTEMPTS}
 * times. So two edits of one task's files at once (an agent's parallel tool calls, each a hook process of its own)
 * both land in it.
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
  /** The guard of the baselines' writes, opened on the first write. */
  private StripedGuard guard;

  private Snapshots(Path dir) {
    this.dir = dir;
  }

  /** The baselines kept under {@code lockDir}. */
  public static Snapshots in(Path lockDir) {
    return new Snapshots(lockDir.resolve("snapshots"));
  }

  private Path file(String workspace, String task) {
    return dir.resolve(WorkspaceHash.of(workspace).hex() + "-" + WorkspaceHash.of(task).hex() + ".json");
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
      Path path = file(workspace, task);
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Option<byte[]> read = bytesOf(path);
        Option<Baseline> existing = read.isDefined() ? Option.some(parse(path, read.get())) : Option.none();
        Map<String, Entry> entries = new TreeMap<>(existing.isDefined() ? existing.get().files() : Map.of());
        for (int i = 0; i < files.size(); i++) {
          entries.put(files.get(i).toString(), hashed.get(i));
        }
        Option<String> bound = session.isDefined() ? session : existing.flatMap(Baseline::session);
        Baseline baseline = new Baseline(workspace, task, bound, entries);
        if (replace(path, read, baseline)) {
          bind(baseline);
          return Either.right(baseline);
        }
      }
      return Either.left(contended(path));
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    }
  }

  /** The task's baseline, if it has one. */
  public Option<Baseline> read(String workspace, String task) throws IOException {
    Path path = file(workspace, task);
    Option<byte[]> bytes = bytesOf(path);
    return bytes.isDefined() ? Option.some(parse(path, bytes.get())) : Option.none();
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

  private static Baseline parse(Path path, byte[] bytes) throws IOException {
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
      throw new IOException(path + ": not a baseline (" + e.getMessage() + ")");
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
      Path path = file(workspace, task);
      for (int attempt = 1; ; attempt++) {
        Option<byte[]> read = bytesOf(path);
        if (read.isEmpty()) {
          break; // no baseline here (another workspace's task, or released meanwhile)
        }
        Baseline baseline = parse(path, read.get());
        if (!baseline.files().containsKey(written.toString())) {
          break;
        }
        if (now == null) {
          now = entryOf(written);
        }
        Map<String, Entry> files = new TreeMap<>(baseline.files());
        files.put(written.toString(), now);
        if (replace(path, read, new Baseline(workspace, task, baseline.session(), files))) {
          moved.add(task);
          break;
        }
        if (attempt == MAX_ATTEMPTS) {
          throw new IOException(contended(path));
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
   * Removes the task's baseline (under its guard, so an edit accepted at the same time cannot write it back) and its
   * session entry.
   */
  public void delete(String workspace, String task) throws IOException {
    Path path = file(workspace, task);
    Option<Baseline> baseline = read(workspace, task);
    Either<StoreFailure, Boolean> deleted = guard().exclusively(guardKey(path), "delete a baseline",
        new StripedGuard.Guarded<Boolean>() {
          @Override
          public Boolean run() throws IOException {
            return Files.deleteIfExists(path);
          }
        });
    if (deleted.isLeft()) {
      throw new IOException(deleted.getLeft().describe());
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
  }

  /**
   * Writes {@code baseline} at {@code path} only if the file still holds {@code expected} (none: no file), by temp
   * file and atomic rename, comparing and writing under the guard of its key; false when another writer changed it
   * since it was read, and then nothing was written.
   */
  private boolean replace(Path path, Option<byte[]> expected, Baseline baseline) throws IOException {
    String text = encode(baseline);
    Either<StoreFailure, Boolean> done = guard().exclusively(guardKey(path), "write a baseline",
        new StripedGuard.Guarded<Boolean>() {
          @Override
          public Boolean run() throws IOException {
            Option<byte[]> now = bytesOf(path);
            boolean unchanged = expected.isEmpty() ? now.isEmpty()
                : now.isDefined() && java.util.Arrays.equals(now.get(), expected.get());
            if (!unchanged) {
              return Boolean.FALSE;
            }
            writeAtomically(path, text);
            return Boolean.TRUE;
          }
        });
    if (done.isLeft()) {
      throw new IOException(done.getLeft().describe());
    }
    return done.get();
  }

  /** The key whose guard the writes of the baseline at {@code path} take: {@code baseline-<workspace>-<task>}. */
  private static LockKey guardKey(Path path) {
    String name = path.getFileName().toString();
    return new LockKey("baseline-" + name.substring(0, name.length() - ".json".length()));
  }

  /** The lock directory's guards, which the baselines' writes take (under keys of their own). */
  private StripedGuard guard() throws IOException {
    if (guard == null) {
      Files.createDirectories(dir);
      Either<StoreFailure, LockDirectory> opened = LockDirectory.open(dir.getParent());
      if (opened.isLeft()) {
        throw new IOException(opened.getLeft().describe());
      }
      guard = StripedGuard.of(opened.get(), StripedGuard.DEFAULT_TIMEOUT);
    }
    return guard;
  }

  private static String contended(Path path) {
    return path + ": the baseline changed under this write " + MAX_ATTEMPTS + " times running; try again";
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
