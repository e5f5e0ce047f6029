package dev.parallelsessionlock.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.store.FolderStores;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SnapshotsTest {

  @TempDir
  Path temp;

  /** The lock directory's store in a folder, as the executable opens it. */
  private static final FolderStores STORES = dir -> Either.narrow(FileLockStore.open(dir));

  private Snapshots snapshots;
  private Path ws;
  private String workspace;

  @BeforeEach
  void setUp() throws Exception {
    snapshots = Snapshots.in(temp.resolve("locks"), STORES);
    ws = Files.createDirectories(temp.resolve("repo"));
    workspace = ws.toString();
  }

  private static void mkfifo(Path path) throws Exception {
    assertThat(new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor()).isZero();
  }

  @Test
  void readAndBoundTo_whenAFifoIsAtTheBaselineOrTheSessionEntry_refuseAtOnce() throws Exception {
    Path a = Files.writeString(ws.resolve("a.txt"), "a");
    snapshots.snapshot(workspace, "T1", Option.some("alice"), List.of(a)).get();
    Path baseline;
    Path entry;
    try (var files = Files.walk(temp.resolve("locks/snapshots"))) {
      List<Path> all = files.filter(Files::isRegularFile).toList();
      baseline = all.stream().filter(f -> f.toString().contains("/bodies/")).findFirst().orElseThrow();
      entry = all.stream().filter(f -> f.toString().contains("/sessions/")).findFirst().orElseThrow();
    }
    Files.delete(entry);
    mkfifo(entry);

    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> snapshots.boundTo("alice", workspace)))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining(entry + ": is a FIFO (named pipe)");
    Files.delete(entry);
    Files.delete(baseline);
    mkfifo(baseline);
    assertThatThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(5), () -> snapshots.read(workspace, "T1")))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining(baseline + ": is a FIFO (named pipe)");
    assertThat(snapshots.snapshot(workspace, "T2", Option.some("alice"), List.of(a)).isRight()).isTrue();
  }

  @Test
  void check_findsChangedCreatedAndDeletedFiles_andNotTheUnchangedOnes_binaryIncluded() throws Exception {
    Path same = Files.writeString(ws.resolve("same.txt"), "same");
    Path edited = Files.writeString(ws.resolve("edited.txt"), "before");
    Path removed = Files.writeString(ws.resolve("removed.txt"), "x");
    Path created = ws.resolve("created.txt");
    Path binary = Files.write(ws.resolve("image.bin"), new byte[] {0, (byte) 0xff, 10, 13, 0});
    Snapshots.Baseline baseline = snapshots.snapshot(workspace, "T1", Option.none(),
        List.of(same, edited, removed, created, binary)).get();

    Files.writeString(edited, "after");
    Files.delete(removed);
    Files.writeString(created, "new");
    Files.write(binary, new byte[] {0, (byte) 0xfe, 10, 13, 0});

    List<Snapshots.Change> changes = snapshots.check(snapshots.read(workspace, "T1").get());
    assertThat(changes).extracting(Snapshots.Change::path, Snapshots.Change::kind).containsExactly(
        org.assertj.core.groups.Tuple.tuple(created.toString(), Snapshots.Kind.CREATED),
        org.assertj.core.groups.Tuple.tuple(edited.toString(), Snapshots.Kind.CHANGED),
        org.assertj.core.groups.Tuple.tuple(binary.toString(), Snapshots.Kind.CHANGED),
        org.assertj.core.groups.Tuple.tuple(removed.toString(), Snapshots.Kind.DELETED));
    assertThat(baseline.files()).hasSize(5);
    // as sha256sum has them
    assertThat(changes.get(1).before()).contains("6db7d803e74f1ffa7d8f5adc0bf95b3e15bf4c8373fffadf546227cc6c6742cb");
    assertThat(changes.get(1).after()).contains("f39592393ef0859cb196a52693d2cea00fb2df784b3c04ae54aa7cadb8e562f8");
  }

  @Test
  void snapshotAgain_acceptsTheCurrentContent() throws Exception {
    Path file = Files.writeString(ws.resolve("a.txt"), "one");
    snapshots.snapshot(workspace, "T1", Option.none(), List.of(file));
    Files.writeString(file, "two");

    snapshots.snapshot(workspace, "T1", Option.none(), List.of(file));

    assertThat(snapshots.check(snapshots.read(workspace, "T1").get())).isEmpty();
  }

  @Test
  void anEditOfTheBoundSession_movesTheBaseline_anotherSessionsDoesNot() throws Exception {
    Path file = Files.writeString(ws.resolve("a.txt"), "one");
    snapshots.snapshot(workspace, "T1", Option.some("alice"), List.of(file));
    Files.writeString(file, "alice's edit");

    assertThat(snapshots.acceptEdit("bob", workspace, file)).isEmpty();
    assertThat(snapshots.check(snapshots.read(workspace, "T1").get())).hasSize(1);
    assertThat(snapshots.acceptEdit("alice", workspace, file)).containsExactly("T1");
    assertThat(snapshots.check(snapshots.read(workspace, "T1").get())).isEmpty();
    assertThat(snapshots.acceptEdit("alice", workspace, ws.resolve("other.txt"))).isEmpty();
  }

  @Test
  void acceptEdit_eightEditsOfOneTasksFilesAtOnce_allLandInTheBaseline_twentyRounds() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (int round = 1; round <= 20; round++) {
        String task = "T" + round;
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
          files.add(Files.writeString(ws.resolve("f" + i + ".txt"), "before " + round));
        }
        snapshots.snapshot(workspace, task, Option.some("alice"), files).get();
        for (Path file : files) {
          Files.writeString(file, "alice's edit of " + file.getFileName() + " in round " + round);
        }
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(files.size());
        List<java.util.concurrent.Future<List<String>>> edits = new java.util.ArrayList<>();
        for (Path file : files) {
          edits.add(pool.submit(() -> {
            together.await();
            return snapshots.acceptEdit("alice", workspace, file); // the hook's PostToolUse of one edit
          }));
        }
        for (java.util.concurrent.Future<List<String>> edit : edits) {
          assertThat(edit.get(60, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(task);
        }

        assertThat(snapshots.check(snapshots.read(workspace, task).get())).as("round %d: every edit moved the baseline",
            round).isEmpty();
        snapshots.delete(workspace, task);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void delete_removesTheBaselineAndTheSessionsEntry() throws Exception {
    Path file = Files.writeString(ws.resolve("a.txt"), "one");
    snapshots.snapshot(workspace, "T1", Option.some("alice"), List.of(file));

    snapshots.delete(workspace, "T1");

    assertThat(snapshots.read(workspace, "T1")).isEmpty();
    assertThat(snapshots.boundTo("alice", workspace)).isEmpty();
    assertThat(temp.resolve("locks/snapshots/sessions")).isEmptyDirectory();
  }

  @Test
  void aBaselineOfTheEarlierLayout_isRead_andMovedIntoItsDocumentByItsNextWrite() throws Exception {
    Path file = Files.writeString(ws.resolve("a.txt"), "one");
    Path legacy = Files.createDirectories(temp.resolve("locks/snapshots"))
        .resolve(WorkspaceHash.of(workspace).hex() + "-" + WorkspaceHash.of("T1").hex() + ".json");
    Files.writeString(legacy, "{\"workspace\":\"" + workspace + "\",\"task\":\"T1\",\"session\":\"alice\","
        + "\"files\":{\"" + file + "\":{\"sha256\":\"" + "0".repeat(64) + "\",\"size\":3}}}\n");
    Files.createDirectories(temp.resolve("locks/snapshots/sessions").resolve(WorkspaceHash.of("alice").hex()))
        .resolve(legacy.getFileName()).toFile().createNewFile();
    Files.writeString(temp.resolve("locks/snapshots/sessions").resolve(WorkspaceHash.of("alice").hex())
        .resolve(legacy.getFileName()), "T1\n");

    assertThat(snapshots.check(snapshots.read(workspace, "T1").get())).extracting(Snapshots.Change::kind)
        .containsExactly(Snapshots.Kind.CHANGED);
    assertThat(snapshots.acceptEdit("alice", workspace, file)).containsExactly("T1");

    assertThat(legacy).doesNotExist();
    assertThat(snapshots.check(snapshots.read(workspace, "T1").get())).isEmpty();
    snapshots.delete(workspace, "T1");
    assertThat(snapshots.read(workspace, "T1")).isEmpty();
  }
}
