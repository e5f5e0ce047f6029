package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class FileLockStoreTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = LockKey.workspace(WorkspaceHash.of("/home/user/my-project"));
  private static final Claimant BOB = new Claimant("bob", ProcessRef.ofPid(200));

  @TempDir
  Path temp;

  private final MutableClock clock = new MutableClock(T0);

  private FileLockStore store(Path dir) {
    return FileLockStore.open(dir).get();
  }

  private ParallelSessionLock lock(FileLockStore store) {
    return ParallelSessionLock.of(store, ProcessLiveness.unknown(), clock);
  }

  @Test
  void open_whenMissing_createsThePrivateDirectoryAndParents() throws IOException {
    Path dir = temp.resolve("home/.claude/runtime");

    FileLockStore store = store(dir);

    assertThat(Files.isDirectory(dir)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(store.directory()).isEqualTo(dir.toRealPath());
  }

  @Test
  void records_areWrittenPrivateAtTheSeedsPath() throws IOException {
    FileLockStore store = store(temp);

    lock(store).acquire(KEY, BOB);

    Path record = temp.resolve("session-lock-3ff20dc3f34a.json");
    assertThat(store.recordPath(KEY)).isEqualTo(record.toRealPath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
    assertThat(Files.readString(record)).contains("\"session_id\":\"bob\"", "\"pid\":200", "\"ttl_ms\":300000");
  }

  @Test
  void open_whenDirectoryIsWritableByOthers_refusesAndAdvisesAPrivateDirectory() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    StoreFailure failure = FileLockStore.open(dir).getLeft();

    // Not "chmod go-w": for a directory such as /tmp that advice would break the system.
    assertThat(failure.describe()).contains("is writable by other users", "use a private directory")
        .doesNotContain("chmod");
  }

  @Test
  void acquire_overAnEmptyRecordACrashLeft_takesItOverAfterAFewSeconds_notAfterATtl() throws IOException {
    FileLockStore store = store(temp);
    Path record = store.recordPath(KEY);
    Files.write(record, new byte[0]);
    Files.setLastModifiedTime(record, FileTime.from(T0.minusSeconds(2)));
    assertThat(lock(store).acquire(KEY, BOB).get()).isInstanceOf(Acquisition.Blocked.class);

    clock.advance(Duration.ofSeconds(4));
    Acquisition taken = lock(store).acquire(KEY, BOB).get();

    assertThat(((Acquisition.Acquired) taken).how()).isEqualTo(Acquisition.How.TOOK_OVER_UNREADABLE);
    assertThat(store.keptAside().get()).hasSize(1);
    assertThat(Files.size(store.keptAside().get().head())).isZero();
  }

  @Test
  void open_whenDirectoryBelongsToAnotherUser_refuses() throws Exception {
    assumeTrue(runsAsRoot(), "needs root to give a directory to another user");
    Path dir = Files.createDirectory(temp.resolve("theirs"));
    Files.setAttribute(dir, "unix:uid", 65534);

    assertThat(FileLockStore.open(dir).getLeft().describe()).contains("belongs to uid 65534, not to this user");
  }

  @Test
  void open_whenDirectoryIsTheUsersOwnSymlink_followsIt() throws IOException {
    Path real = Files.createDirectory(temp.resolve("dotfiles-runtime"));
    Path link = Files.createSymbolicLink(temp.resolve("runtime"), real);

    FileLockStore store = store(link);
    lock(store).acquire(KEY, BOB);

    assertThat(Files.exists(real.resolve("session-lock-3ff20dc3f34a.json"))).isTrue();
  }

  @Test
  void open_whenPathIsAFile_refuses() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");

    assertThat(FileLockStore.open(file).getLeft().describe()).contains("is not a directory");
  }

  @Test
  void read_whenASymlinkIsPlantedAtTheRecordPath_refusesAndWritesNothing() throws IOException {
    Path victim = Files.writeString(temp.resolve("victim.txt"), "precious");
    FileLockStore store = store(Files.createDirectory(temp.resolve("locks")));
    Files.createSymbolicLink(store.recordPath(KEY), victim);

    Either<?, Acquisition> result = lock(store).acquire(KEY, BOB);

    assertThat(result.isLeft()).isTrue();
    assertThat(result.getLeft().toString()).contains("symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }

  /** A FIFO at {@code path}, made by mkfifo: opening it for reading blocks until a writer comes. */
  static Path fifo(Path path) throws IOException, InterruptedException {
    Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor()).isZero();
    return path;
  }

  @Test
  void readAndList_whenAFifoIsAtARecordPath_refuseAtOnce_namingIt() throws Exception {
    FileLockStore store = store(Files.createDirectory(temp.resolve("locks")));
    Path record = fifo(store.recordPath(KEY));

    Either<StoreFailure, ?> read = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> store.read(KEY));
    Either<StoreFailure, ?> listed = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> store.list());
    Either<?, Acquisition> acquired = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> lock(store).acquire(KEY, BOB));

    assertThat(read.getLeft().describe()).contains(record + ": is a FIFO (named pipe), not a regular file; refusing to "
        + "open it (remove it)");
    assertThat(listed.getLeft().describe()).contains(record + ": is a FIFO");
    assertThat(acquired.getLeft().toString()).contains("is a FIFO");
  }

  @Test
  void read_whenADirectoryIsAtARecordPath_refusesNamingIt() throws Exception {
    FileLockStore store = store(Files.createDirectory(temp.resolve("locks")));
    Files.createDirectory(store.recordPath(KEY));

    assertThat(store.read(KEY).getLeft().describe()).contains(store.recordPath(KEY) + ": is a directory, not a regular file");
  }

  @Test
  void write_whenAFifoIsAtTheGuardPath_failsAtOnce_namingIt() throws Exception {
    FileLockStore store = FileLockStore.open(Files.createDirectory(temp.resolve("locks")), false, Duration.ofSeconds(30)).get();
    Path guard = fifo(store.guardPath(KEY));

    Either<?, Acquisition> acquired = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> lock(store).acquire(KEY, BOB));

    assertThat(acquired.getLeft().toString()).contains(guard + ": is a FIFO (named pipe), not a regular file");
  }

  static Stream<Arguments> unreadableFiles() {
    return Stream.of(
        Arguments.of("truncated", "{\"schema_version\":1,\"session_id\":\"ali".getBytes(StandardCharsets.UTF_8), "not a JSON object"),
        Arguments.of("not UTF-8", new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}, "not UTF-8 text"),
        Arguments.of("huge", new byte[10 * 1024 * 1024], "file is 10485760 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadableFiles")
  void acquire_overUnreadableBytes_blocksUntilOneTtlThenTakesOverAndKeepsThemAside(
      String name, byte[] bytes, String problem) throws IOException {
    FileLockStore store = store(temp);
    Path record = store.recordPath(KEY);
    Files.write(record, bytes);
    Files.setLastModifiedTime(record, FileTime.from(T0.minusSeconds(60)));

    Slot slot = store.read(KEY).get().get();
    assertThat(slot).isInstanceOf(Slot.Unreadable.class);
    assertThat(((Slot.Unreadable) slot).problem()).contains(problem);
    assertThat(lock(store).acquire(KEY, BOB).get()).isInstanceOf(Acquisition.Blocked.class);

    clock.advance(Duration.ofMinutes(4));
    Acquisition taken = lock(store).acquire(KEY, BOB).get();

    assertThat(taken).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) taken).how()).isEqualTo(Acquisition.How.TOOK_OVER_UNREADABLE);
    assertThat(store.keptAside().get()).hasSize(1);
    Path aside = store.keptAside().get().head();
    assertThat(aside.getFileName().toString()).startsWith("session-lock-3ff20dc3f34a.json.corrupt-");
    assertThat(Files.readAllBytes(aside)).isEqualTo(bytes);
    assertThat(((Slot.Held) store.read(KEY).get().get()).record().sessionId()).isEqualTo("bob");
  }

  @Test
  void forceRelease_ofUnreadableBytes_keepsThemAside() throws IOException {
    FileLockStore store = store(temp);
    Files.writeString(store.recordPath(KEY), "garbage");

    assertThat(lock(store).forceRelease(KEY).get()).isNotEmpty();

    assertThat(Files.exists(store.recordPath(KEY))).isFalse();
    assertThat(Files.readString(store.keptAside().get().head())).isEqualTo("garbage");
  }

  @Test
  void list_ignoresTempGuardAndKeptAsideFiles() throws IOException {
    FileLockStore store = store(temp);
    lock(store).acquire(KEY, BOB);
    Files.writeString(temp.resolve("session-lock-3ff20dc3f34a.json.tmp-1234"), "partial");
    Files.writeString(temp.resolve("session-lock-3ff20dc3f34a.json.corrupt-20261122T100000.000Z"), "old");
    Files.writeString(temp.resolve("not a key.json"), "x");

    assertThat(store.list().get().map(Slot::key).toJavaList()).containsExactly(KEY);
  }

  @Test
  void seedRecords_writtenByAnotherTool_areHonoured() throws IOException {
    FileLockStore store = store(temp);
    Files.writeString(store.recordPath(KEY), "{\"schema_version\":1,\"session_id\":\"node-session\",\"pid\":77,"
        + "\"acquired_at\":" + T0.toEpochMilli() + ",\"ttl_ms\":300000}");

    Acquisition.Blocked blocked = (Acquisition.Blocked) lock(store).acquire(KEY, BOB).get();

    assertThat(blocked.holder().get().sessionId()).isEqualTo("node-session");
    assertThat(blocked.holder().get().pid()).isEqualTo(77);
  }

  @Test
  void read_ofAMissingDirectory_failsWithOneLine() throws IOException {
    Path dir = Files.createDirectory(temp.resolve("gone"));
    FileLockStore store = store(dir);
    Files.delete(dir);

    assertThat(store.create(KEY, new LockRecord(1, "a", ProcessRef.ofPid(1), T0, Duration.ofMinutes(1), T0))
        .getLeft().describe()).startsWith("cannot create a lock record: ").doesNotContain("\n");
  }

  @Test
  void write_intoAReadOnlyDirectory_failsWithOneLineWithoutThrowing() throws Exception {
    FileLockStore store = store(Files.createDirectory(temp.resolve("ro")));
    // Root ignores permission bits, so as root the directory is made immutable instead.
    boolean root = runsAsRoot();
    if (root) {
      assumeTrue(run("chattr", "+i", store.directory().toString()) == 0, "chattr +i not permitted here");
    } else {
      Files.setPosixFilePermissions(store.directory(), PosixFilePermissions.fromString("r-x------"));
    }
    try {
      Either<?, Acquisition> result = lock(store).acquire(KEY, BOB);

      assertThat(result.isLeft()).isTrue();
      assertThat(result.getLeft().toString()).contains("session-lock-3ff20dc3f34a").doesNotContain("\n");
    } finally {
      if (root) {
        run("chattr", "-i", store.directory().toString());
      } else {
        Files.setPosixFilePermissions(store.directory(), PosixFilePermissions.fromString("rwx------"));
      }
    }
  }

  private static int run(String... command) throws Exception {
    try {
      return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start().waitFor();
    } catch (IOException notInstalled) {
      return 127;
    }
  }

  @Test
  void list_sweepsTempFilesThatKilledWritersLeftBehind_andShowsThemAsNothing() throws IOException {
    FileLockStore store = store(temp);
    Path old = Files.writeString(temp.resolve("session-lock-3ff20dc3f34a.json.tmp-dead1"), "{\"half");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(120)));
    Path recent = Files.writeString(temp.resolve("session-lock-3ff20dc3f34a.json.tmp-busy2"), "{\"half");
    Path otherKey = Files.writeString(temp.resolve("session-lock-aaaaaaaaaaaa.json.tmp-dead3"), "{\"half");
    Files.setLastModifiedTime(otherKey, FileTime.from(Instant.now().minusSeconds(120)));

    lock(store).acquire(KEY, BOB);
    assertThat(Files.exists(old)).as("the hook's create does not scan the directory").isTrue();

    List<Slot> listed = store.list().get();

    assertThat(listed).extracting(Slot::key).containsExactly(KEY);
    assertThat(Files.exists(old)).isFalse();
    assertThat(Files.exists(otherKey)).isFalse();
    assertThat(Files.exists(recent)).as("a write that may still be running").isTrue();
  }

  /** Whether this JVM runs as root, which may give a folder to another user and write into a read-only one. */
  private static boolean runsAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException noProcFs) {
      return false;
    }
  }
}
